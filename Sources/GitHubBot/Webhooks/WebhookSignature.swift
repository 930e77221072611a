import Crypto
import Foundation

/// `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body under the webhook
/// secret. Only this header counts — the legacy SHA-1 `X-Hub-Signature` is never accepted — and
/// the comparison takes the same time however many bytes match.
public struct WebhookSignature: Sendable {
    /// The current secret first, then a previous one during a rotation.
    let secrets: [SymmetricKey]

    public init(secrets: [String]) {
        self.secrets = secrets.filter { !$0.isEmpty }.map { SymmetricKey(data: Data($0.utf8)) }
    }

    /// Whether `header` signs `body` under one of the secrets.
    public func isValid(_ header: String?, body: some DataProtocol) -> Bool {
        guard let header, header.hasPrefix("sha256="), let signature = Self.bytes(hex: header.dropFirst(7)) else { return false }
        // Every secret is tried, so the answer's timing says nothing about which one matched.
        var valid = false
        for key in secrets where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: body, using: key) {
            valid = true
        }
        return valid
    }

    /// The header GitHub would send for `body` under `secret` (tests sign fixtures with it).
    public static func header(for body: some DataProtocol, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
