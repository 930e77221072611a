import Foundation

/// RFC 4648 §5 base64url, the encoding of a GET `message` sent with `base64=1`.
enum Base64URL {
    /// The bytes `text` encodes; padding is optional, and the standard alphabet's `+` and `/` are
    /// accepted too. `nil` when `text` is not base64.
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        var standard = String(decoding: text, as: UTF8.self)
            .replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        while standard.hasSuffix("=") { standard.removeLast() }
        switch standard.utf8.count % 4 {
        case 1: return nil
        case 2: standard += "=="
        case 3: standard += "="
        default: break
        }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
