/// How far bringing the stored sessions back after a start has got, for `/readyz` and the logs.
struct RestoreProgress: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// The stored sessions have not been loaded yet.
        case loading
        /// Sessions that were running are getting their sandbox back, in the background.
        case restoring
        /// Every session that was running has been given its sandbox back (or marked `error`).
        case restored
    }

    var phase = Phase.loading
    /// Sessions that were running when the control plane stopped.
    var total = 0
    /// Of those, the ones whose sandbox runs again: started anew, or adopted.
    var started = 0
    /// Of ``started``, the ones whose sandbox outlived the previous control plane and was taken
    /// back (a cluster's Pods).
    var adopted = 0
    /// Of those, the ones that could not be restored (now in `error`).
    var failed = 0

    /// `/readyz`'s `sessions` field: `loading`, `restoring (3 of 64 started)`,
    /// `restored (64 of 64 started, 60 adopted)`.
    var summary: String {
        let counts = "\(started) of \(total) started\(adopted > 0 ? ", \(adopted) adopted" : "")\(failed > 0 ? ", \(failed) failed" : "")"
        switch phase {
        case .loading: return "loading"
        case .restoring: return "restoring (\(counts))"
        case .restored: return "restored (\(counts))"
        }
    }
}
