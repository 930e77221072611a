import Crypto
import Foundation
import _CryptoExtras

/// Verifies App JWTs the way api.github.com does: RS256 with the App's public key, `iss` naming
/// the App (ID as string or number, or client ID), `exp` in the future but at most 10 minutes
/// ahead, `iat` at most 60 s in the future. Failures carry GitHub's 401 messages.
struct AppJWTVerifier: Sendable {
    /// Tolerated clock drift on the 10-minute `exp` limit (clients compute `exp` from their own
    /// clock, and some round up).
    static let leeway: TimeInterval = 30

    enum Failure: Error, Equatable {
        case undecodable
        case expired
        case expiresTooLate
        case issuedAtInvalid
        case unknownIssuer

        /// GitHub's `message` for this failure.
        var message: String {
            switch self {
            case .undecodable: return "A JSON web token could not be decoded"
            case .expired:
                return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
            case .expiresTooLate: return "'Expiration time' claim ('exp') is too far in the future"
            case .issuedAtInvalid:
                return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
            case .unknownIssuer: return "Bad credentials"
            }
        }
    }

    let publicKey: _RSA.Signing.PublicKey
    let appID: Int
    let clientID: String

    func verify(_ jwt: String, now: Date = Date()) throws(Failure) {
        let segments = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3,
              let headerData = Self.base64URLDecode(segments[0]),
              let payloadData = Self.base64URLDecode(segments[1]),
              let signature = Self.base64URLDecode(segments[2]),
              let header = try? JSONValue.parse(Array(headerData)),
              let payload = try? JSONValue.parse(Array(payloadData)),
              header["alg"]?.stringValue == "RS256"
        else { throw .undecodable }

        let signingInput = Data("\(segments[0]).\(segments[1])".utf8)
        guard publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                         for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5)
        else { throw .undecodable }

        let issuerMatches: Bool
        switch payload["iss"] {
        case .int(let value)?: issuerMatches = value == appID
        case .string(let value)?: issuerMatches = value == String(appID) || value == clientID
        default: issuerMatches = false
        }
        guard issuerMatches else { throw .unknownIssuer }

        guard let iat = payload["iat"]?.intValue, TimeInterval(iat) <= now.timeIntervalSince1970 + 60 else {
            throw .issuedAtInvalid
        }
        guard let exp = payload["exp"]?.intValue, TimeInterval(exp) > now.timeIntervalSince1970 else {
            throw .expired
        }
        guard TimeInterval(exp) <= now.timeIntervalSince1970 + 600 + Self.leeway else { throw .expiresTooLate }
    }

    static func base64URLDecode(_ segment: Substring) -> Data? {
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
