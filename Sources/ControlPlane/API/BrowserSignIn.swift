import Foundation
import Synchronization

/// The web UI's sign-ins: which browser session ids are valid until when, and the one-time
/// sign-in links `netclode dev` prints.
///
/// A browser proves it knows the API token once (``signIn(token:)``) and then carries a random
/// session id in an HttpOnly cookie, so the token itself never sits in a cookie, a URL or storage
/// that page scripts can read. The ids live in this process's memory only: a restart signs every
/// browser out, and nothing that could sign a browser in is ever written to disk.
public final class BrowserSignIn: Sendable {
    /// How long a browser stays signed in after signing in (the cookie's Max-Age too).
    public static let sessionLifetime: Duration = .seconds(12 * 3600)
    /// How long a one-time sign-in link may wait before it is used.
    public static let linkLifetime: Duration = .seconds(3600)

    private struct State {
        var sessions: [String: ContinuousClock.Instant] = [:]
        var links: [String: ContinuousClock.Instant] = [:]

        mutating func prune(now: ContinuousClock.Instant) {
            sessions = sessions.filter { $0.value > now }
            links = links.filter { $0.value > now }
        }
    }

    private let apiToken: String
    private let state = Mutex(State())

    public init(apiToken: String) {
        self.apiToken = apiToken
    }

    /// A new browser session id when `token` is the API token (compared in constant time).
    public func signIn(token: String) -> String? {
        guard ConstantTime.equals(token, apiToken) else { return nil }
        return newSession()
    }

    /// A code for a one-time sign-in link: ``redeem(link:)`` accepts it once.
    public func makeLink() -> String {
        let code = Self.randomID()
        state.withLock { $0.links[code] = ContinuousClock.now + Self.linkLifetime }
        return code
    }

    /// A new browser session id for a link code that is known, unexpired and unused; the code is
    /// spent either way, so a leaked link (browser history, a proxy log) is worth nothing.
    public func redeem(link code: String) -> String? {
        let now = ContinuousClock.now
        let valid = state.withLock { state in
            state.prune(now: now)
            return state.links.removeValue(forKey: code) != nil
        }
        return valid ? newSession() : nil
    }

    /// Whether `session` is a signed-in browser.
    public func isSignedIn(_ session: String) -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let expiry = state.sessions[session] else { return false }
            if expiry <= now {
                state.sessions[session] = nil
                return false
            }
            return true
        }
    }

    /// Forgets `session`: its cookie no longer authenticates anything, even if a copy survives.
    public func signOut(_ session: String) {
        _ = state.withLock { $0.sessions.removeValue(forKey: session) }
    }

    private func newSession() -> String {
        let id = Self.randomID()
        let now = ContinuousClock.now
        state.withLock { state in
            state.prune(now: now)
            state.sessions[id] = now + Self.sessionLifetime
        }
        return id
    }

    /// 32 random bytes as hex: unguessable, and valid in a cookie and a URL as it is.
    static func randomID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }
}
