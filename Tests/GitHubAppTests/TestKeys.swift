import Crypto
import _CryptoExtras
import Foundation
import Testing
@testable import GitHubApp

/// RSA keys generated once per test run: no key material is ever committed.
enum TestKeys {
    static let rsa2048 = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let rsa1024 = try! _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))

    /// PKCS#1, the format GitHub hands out.
    static var pkcs1PEM: String { rsa2048.pemRepresentation }
    static var pkcs8PEM: String { rsa2048.pkcs8PEMRepresentation }

    static func appKey() throws -> AppPrivateKey { try AppPrivateKey(pem: pkcs1PEM) }
}
