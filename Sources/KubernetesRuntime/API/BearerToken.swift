import Foundation
import Synchronization

/// The bearer token requests carry, if any. A token file is read again once a minute, as
/// client-go and the Python client do: the kubelet rotates a projected service-account token
/// well before it expires, and a token read once at start would stop working after an hour.
final class BearerToken: Sendable {
    static let rereadInterval: Duration = .seconds(60)

    private enum Source {
        case fixed(String?)
        case file(String)
    }

    private let source: Source
    private let cache = Mutex<(value: String, read: ContinuousClock.Instant)?>(nil)

    init(_ credentials: ClusterConnection.Credentials) {
        switch credentials {
        case .token(let token): source = .fixed(token)
        case .tokenFile(let path): source = .file(path)
        case .none, .clientCertificate: source = .fixed(nil)
        }
    }

    /// The current token; throws when its file cannot be read (or is empty).
    func current() throws(KubernetesConfigError) -> String? {
        switch source {
        case .fixed(let token):
            return token
        case .file(let path):
            let now = ContinuousClock.now
            if let cached = cache.withLock({ $0 }), now - cached.read < Self.rereadInterval { return cached.value }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw KubernetesConfigError("the token file \(path) cannot be read")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw KubernetesConfigError("the token file \(path) is empty") }
            cache.withLock { $0 = (token, now) }
            return token
        }
    }
}
