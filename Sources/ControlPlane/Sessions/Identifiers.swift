import SwiftProtobuf
import Logging
import Crypto
import Foundation

/// Session IDs and agent secrets.
enum Identifiers {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// 12 lower-case letters and digits: short enough to type, 62 bits of randomness.
    static func sessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// A replica's lease identity, new at every start: `replica-` and 8 letters and digits, so a
    /// restarted process never mistakes its predecessor's leases for its own.
    static func replicaID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "replica-" + String((0..<8).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// 32 random bytes, hex: the per-session secret an agent authenticates with.
    static func agentSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The credential a proxy-mode sandbox's git presents to the git proxy: `ncgit_` and 32 random
    /// bytes. The prefix tells it from a GitHub token at a glance (and to secret scanners); it is
    /// worthless anywhere but this control plane, and only while its sandbox runs.
    static func gitProxyCredential() -> String {
        "ncgit_" + agentSecret()
    }
}

/// SHA-256 of a secret, hex: what a secret is looked up by, so no table is keyed by the secret.
enum TokenDigest {
    static func of(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// Compares secrets in time independent of where they differ: both sides are hashed first, so the
/// comparison always runs over 32 bytes whatever the input lengths.
enum ConstantTime {
    static func equals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(SHA256.hash(data: Array(lhs.utf8)))
        let b = Array(SHA256.hash(data: Array(rhs.utf8)))
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
