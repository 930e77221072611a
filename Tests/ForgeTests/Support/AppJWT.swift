import _CryptoExtras
import Foundation

/// Signs App JWTs in the tests themselves (RS256 = SHA-256 + PKCS#1 v1.5), independent of the
/// production client, so the forge is checked against the JWT spec rather than against itself.
enum AppJWT {
    enum Issuer {
        case string(String)
        case number(Int)

        var json: String {
            switch self {
            case .string(let value): return "\"\(value)\""
            case .number(let value): return String(value)
            }
        }
    }

    static func sign(keyPEM: String, issuer: Issuer, issuedAt: Int? = nil, expiresAt: Int? = nil, algorithm: String = "RS256") throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = "{\"alg\":\"\(algorithm)\",\"typ\":\"JWT\"}"
        let payload = "{\"iat\":\(issuedAt ?? now - 60),\"exp\":\(expiresAt ?? now + 540),\"iss\":\(issuer.json)}"
        let signingInput = base64URL(Data(header.utf8)) + "." + base64URL(Data(payload.utf8))
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM)
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + base64URL(signature.rawRepresentation)
    }

    /// A good JWT for the forge's App.
    static func forApp(keyPath: String, appID: Int) throws -> String {
        try sign(keyPEM: String(contentsOfFile: keyPath, encoding: .utf8), issuer: .string(String(appID)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
