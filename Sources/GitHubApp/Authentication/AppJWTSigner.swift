import Foundation

/// Signs the short-lived JSON Web Tokens that authenticate Netclode as the GitHub App.
///
/// GitHub accepts at most 10 minutes of lifetime and recommends backdating `iat` by 60 seconds
/// against clock drift; we sign for 9 minutes ahead so a slow request never crosses the limit.
/// A JWT is cheap (one RSA signature, about a millisecond), so every request gets a fresh one and
/// there is no cache to get wrong.
public struct AppJWTSigner: Sendable {
    public static let backdate: TimeInterval = 60
    public static let lifetime: TimeInterval = 9 * 60

    public let appID: String
    private let key: AppPrivateKey

    public init(appID: String, key: AppPrivateKey) {
        self.appID = appID
        self.key = key
    }

    /// A JWT for requests made at `now`.
    public func token(now: Date = Date()) throws -> String {
        try token(issuedAt: now.addingTimeInterval(-Self.backdate), expiresAt: now.addingTimeInterval(Self.lifetime))
    }

    /// A JWT with explicit times; tests use it to prove that GitHub (or the forge) refuses bad ones.
    public func token(issuedAt: Date, expiresAt: Date, issuer: String? = nil) throws -> String {
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        // `iss` goes out as a number when the App ID is numeric (what GitHub documents) and as a
        // string for a client ID.
        let iss = issuer ?? appID
        let issuerJSON = Int(iss).map(String.init) ?? "\"\(iss.jsonEscaped)\""
        let claims = #"{"iat":\#(Int(issuedAt.timeIntervalSince1970)),"exp":\#(Int(expiresAt.timeIntervalSince1970)),"iss":\#(issuerJSON)}"#
        let signingInput = Base64URL.encode(Data(header.utf8)) + "." + Base64URL.encode(Data(claims.utf8))
        let signature = try key.signRS256(Data(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }
}

/// Base64url without padding (RFC 7515 §2), as JWTs use it.
enum Base64URL {
    static func encode(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension String {
    var jsonEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
