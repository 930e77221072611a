import Crypto
import _CryptoExtras
import Foundation

/// The GitHub App's RSA private key, loaded once and kept in memory.
///
/// GitHub issues keys as PKCS#1 (`BEGIN RSA PRIVATE KEY`); PKCS#8 (`BEGIN PRIVATE KEY`) occurs when a
/// key was converted. Both load. The type deliberately prints nothing of the key: string
/// interpolation, `print` and `dump` show only its size, so a stray log line cannot leak it.
public struct AppPrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let signingKey: _RSA.Signing.PrivateKey

    /// Loads a PEM document. Refuses keys shorter than 2048 bits, as GitHub does.
    public init(pem: String) throws(GitHubError) {
        let trimmed = pem.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("-----BEGIN "), trimmed.contains("-----END ") else {
            throw .invalidPrivateKey(.notPEM)
        }
        guard trimmed.hasPrefix(PEMHeader.pkcs1PrivateKey) || trimmed.hasPrefix(PEMHeader.pkcs8PrivateKey) else {
            throw .invalidPrivateKey(.notRSA)
        }
        let key: _RSA.Signing.PrivateKey
        do {
            // The unsafe initialiser accepts 1024-bit keys so that we can name their size below
            // instead of reporting a generic parse failure.
            key = try _RSA.Signing.PrivateKey(unsafePEMRepresentation: trimmed)
        } catch CryptoKitError.incorrectParameterSize {
            throw .invalidPrivateKey(.tooShort(bits: Self.modulusBits(ofPEM: trimmed) ?? 0))
        } catch {
            throw .invalidPrivateKey(.notRSA)
        }
        guard key.keySizeInBits >= 2048 else { throw .invalidPrivateKey(.tooShort(bits: key.keySizeInBits)) }
        self.signingKey = key
    }

    /// Loads `GITHUB_APP_PRIVATE_KEY_B64`: base64 of the PEM file. White space and line breaks inside
    /// the value are ignored, since people paste wrapped output of `base64`.
    public init(base64PEM: String) throws(GitHubError) {
        let compact = base64PEM.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) ?? Data(base64Encoded: compact.paddedForBase64),
              let pem = String(data: data, encoding: .utf8)
        else {
            throw .invalidPrivateKey(.notBase64)
        }
        try self.init(pem: pem)
    }

    /// Loads `GITHUB_APP_PRIVATE_KEY_PATH`.
    public init(contentsOfFile path: String) throws(GitHubError) {
        let pem: String
        do {
            pem = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw .invalidPrivateKey(.unreadable(path: path, reason: reason))
        }
        try self.init(pem: pem)
    }

    public var keySizeInBits: Int { signingKey.keySizeInBits }

    /// The public half, PEM-encoded (SubjectPublicKeyInfo), e.g. for verifying our own JWTs.
    public var publicKeyPEM: String { signingKey.publicKey.pemRepresentation }

    /// RS256: RSASSA-PKCS1-v1_5 over SHA-256.
    func signRS256(_ message: some DataProtocol) throws -> Data {
        try signingKey.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5).rawRepresentation
    }

    public var description: String { "AppPrivateKey(RSA \(keySizeInBits) bits)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["keySizeInBits": keySizeInBits]) }

    /// Best-effort size of a key that BoringSSL refused for being too small: only for the message.
    private static func modulusBits(ofPEM pem: String) -> Int? {
        (try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem))?.keySizeInBits
    }
}

extension String {
    var paddedForBase64: String {
        let remainder = count % 4
        return remainder == 0 ? self : self + String(repeating: "=", count: 4 - remainder)
    }
}
