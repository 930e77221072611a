/// The tokens the agent currently holds, as the control plane last sent them. The credential
/// server reads it on every git request, so an ``update(_:)`` takes effect at git's next
/// operation. Nothing here is ever written to disk.
public actor CredentialStore {
    public private(set) var credentials: [RepoCredential]
    /// Increases with every ``update(_:)``.
    public private(set) var generation = 0
    private var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    public init(_ credentials: [RepoCredential] = []) {
        self.credentials = credentials
    }

    /// Replaces every credential held before.
    public func update(_ credentials: [RepoCredential]) {
        self.credentials = credentials
        generation += 1
        let waiting = waiters
        waiters.removeAll()
        for continuation in waiting.values { continuation.resume(returning: true) }
    }

    /// Returns true once the store has received its first ``update(_:)`` (at once if it has),
    /// false after `timeout` or on cancellation: lets the agent hold its clones until the control
    /// plane's first credentials arrive, so git's first request does not go out empty-handed.
    public func waitForFirstUpdate(timeout: Duration) async -> Bool {
        if generation > 0 { return true }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if generation > 0 || Task.isCancelled {
                    continuation.resume(returning: generation > 0)
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.expire(id) }
        }
    }

    private func expire(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume(returning: false)
    }

    /// Every token held, for ``SecretRedactor/redact(_:knownSecrets:)``.
    public var secrets: [String] { credentials.map(\.token) }

    /// The credential for a git request on `host` for the repository at URL path `path`
    /// (`owner/repo.git`, as git sends it with `credential.useHttpPath`).
    ///
    /// Without a path (git configured without `useHttpPath`), the host's token is returned only
    /// when every credential of that host carries the same token — it cannot be wrong then.
    public func credential(host: String, path: String?) -> RepoCredential? {
        if let path, let (owner, name) = Self.repository(fromPath: path) {
            return credentials.last { $0.covers(host: host, owner: owner, name: name) }
        }
        let onHost = credentials.filter { RepoCredential.normalizedHost($0.host) == RepoCredential.normalizedHost(host) }
        guard let first = onHost.first, onHost.allSatisfy({ $0.token == first.token }) else { return nil }
        return first
    }

    /// The answer to one credential-helper request: `get` → `username`/`password` of the matching
    /// credential, or nothing when none matches (git then fails with its own message); `store`,
    /// `erase` and unknown operations → nothing.
    public func answer(operation: String, request: GitCredentialMessage) -> GitCredentialMessage {
        guard operation == "get", let host = request["host"], !host.isEmpty else { return GitCredentialMessage() }
        if let scheme = request["protocol"], scheme != "https", scheme != "http" { return GitCredentialMessage() }
        guard let credential = credential(host: host, path: request["path"]) else { return GitCredentialMessage() }
        return GitCredentialMessage([("username", "x-access-token"), ("password", credential.token)])
    }

    /// `(owner, name)` from the last two components of a URL path, `.git` stripped.
    static func repository(fromPath path: String) -> (owner: String, name: String)? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { return nil }
        let name = RepoCredential.strippingGitSuffix(parts[parts.count - 1])
        let owner = parts[parts.count - 2]
        guard !owner.isEmpty, !name.isEmpty else { return nil }
        return (owner, name)
    }
}
