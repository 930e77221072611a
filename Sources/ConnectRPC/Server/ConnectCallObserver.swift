/// Told how each call of a method ended, for metrics.
///
/// The library stays free of any metrics backend: a server that wants per-method counts sets an
/// observer in ``ConnectServerOptions`` and records what it likes. It is called once per call that
/// reached the method's route, after the outcome is known — for a unary call when the response is
/// ready, for a server stream when the end-of-stream message has been written (or the client has
/// gone away, reported as ``ConnectError/Code/canceled``).
public protocol ConnectCallObserver: Sendable {
    /// `code` is nil for success (Connect has no `ok` code on the wire).
    func connectCallFinished(method: String, code: ConnectError.Code?)
}
