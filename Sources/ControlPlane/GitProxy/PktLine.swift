/// git's pkt-line framing (gitprotocol-common): four hex digits giving the length of the line
/// including those four bytes, then the payload; `0000` is a flush, `0001` a delimiter and `0002`
/// a response end (protocol v2 only).
enum PktLine {
    enum Packet: Equatable {
        case data([UInt8])
        case flush
        case delimiter
        case responseEnd
    }

    /// The longest pkt-line git allows: 65520 bytes, length prefix included.
    static let maximumLength = 65520
    static let flush: [UInt8] = Array("0000".utf8)

    /// `payload` framed as one pkt-line.
    static func encode(_ payload: some Collection<UInt8>) -> [UInt8] {
        precondition(payload.count + 4 <= maximumLength, "pkt-line payload too long")
        let length = String(payload.count + 4, radix: 16)
        return Array((String(repeating: "0", count: 4 - length.count) + length).utf8) + payload
    }

    static func encode(_ text: String) -> [UInt8] {
        encode(Array(text.utf8))
    }

    /// The packet starting at `offset` of `bytes` and where the next one starts; nil when `bytes`
    /// ends before the packet does (read more and try again).
    static func read(_ bytes: [UInt8], at offset: Int) throws(GitWireError) -> (packet: Packet, next: Int)? {
        guard bytes.count - offset >= 4 else { return nil }
        var length = 0
        for byte in bytes[offset..<offset + 4] {
            guard let digit = hexValue(byte) else { throw GitWireError("malformed pkt-line length") }
            length = length * 16 + digit
        }
        switch length {
        case 0: return (.flush, offset + 4)
        case 1: return (.delimiter, offset + 4)
        case 2: return (.responseEnd, offset + 4)
        case 3: throw GitWireError("malformed pkt-line length 3")
        default:
            guard length <= maximumLength else { throw GitWireError("pkt-line longer than \(maximumLength) bytes") }
            guard bytes.count - offset >= length else { return nil }
            return (.data(Array(bytes[offset + 4..<offset + length])), offset + length)
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}

/// git's side of the smart HTTP protocol said something the proxy cannot read; the proxy refuses
/// what it cannot read rather than forward it unchecked.
struct GitWireError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
