import Foundation
import ConnectRPC
import HTTPTypes

/// Reads `Authorization: Bearer <token>` (scheme compared case-insensitively).
enum BearerToken {
    static func from(_ headers: HTTPFields) -> String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// Every client RPC must carry the API token; compared in constant time.
struct APIAuthenticator: Sendable {
    let token: String

    /// `options` with this check as its ``ConnectServerOptions/authorize`` hook, so a call without
    /// the token is refused on its headers: its body is neither read nor decoded (an unauthenticated
    /// caller with a malformed body hears `unauthenticated`, not what was wrong with the body).
    func guarding(_ options: ConnectServerOptions) -> ConnectServerOptions {
        var options = options
        options.authorize = { headers throws(ConnectError) in try check(headers) }
        return options
    }

    func check(_ headers: HTTPFields) throws(ConnectError) {
        guard let presented = BearerToken.from(headers) else {
            throw ConnectError(.unauthenticated, "missing API token: send `Authorization: Bearer <NETCLODE_API_TOKEN>`")
        }
        guard ConstantTime.equals(presented, token) else {
            throw ConnectError(.unauthenticated, "invalid API token")
        }
    }
}
