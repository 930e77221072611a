import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import GitHubApp

@Suite("App JWT")
struct JWTTests {
    struct Decoded {
        let header: [String: Any]
        let claims: [String: Any]
        let signingInput: String
        let signature: Data
    }

    static func decode(_ jwt: String) throws -> Decoded {
        let parts = jwt.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        func bytes(_ part: String) -> Data {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            return Data(base64Encoded: text)!
        }
        return Decoded(
            header: try JSONSerialization.jsonObject(with: bytes(parts[0])) as! [String: Any],
            claims: try JSONSerialization.jsonObject(with: bytes(parts[1])) as! [String: Any],
            signingInput: parts[0] + "." + parts[1],
            signature: bytes(parts[2])
        )
    }

    @Test(arguments: ["pkcs1", "pkcs8"])
    func signsRS256WithGitHubsClaims(format: String) throws {
        let pem = format == "pkcs1" ? TestKeys.pkcs1PEM : TestKeys.pkcs8PEM
        let signer = AppJWTSigner(appID: "424242", key: try AppPrivateKey(pem: pem))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let decoded = try Self.decode(try signer.token(now: now))
        #expect(decoded.header["alg"] as? String == "RS256")
        #expect(decoded.claims["iss"] as? Int == 424242)
        #expect(decoded.claims["iat"] as? Int == 1_800_000_000 - 60)
        #expect(decoded.claims["exp"] as? Int == 1_800_000_000 + 540)
        let exp = try #require(decoded.claims["exp"] as? Int)
        #expect(exp - 1_800_000_000 <= 600, "GitHub refuses JWTs living longer than 10 minutes")
        let valid = TestKeys.rsa2048.publicKey.isValidSignature(
            .init(rawRepresentation: decoded.signature), for: SHA256.hash(data: Data(decoded.signingInput.utf8)), padding: .insecurePKCS1v1_5
        )
        #expect(valid)
    }

    @Test func clientIDIssuerIsAString() throws {
        let signer = AppJWTSigner(appID: "Iv1.0123abcd", key: try TestKeys.appKey())
        #expect(try Self.decode(try signer.token()).claims["iss"] as? String == "Iv1.0123abcd")
    }
}
