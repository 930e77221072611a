import Foundation
import Crypto

/// Hex SHA-256, computed in the tests independently of the forge.
func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
