/// The query parameters of a Connect GET request, decoded as HTML forms and Go's `url.ParseQuery`
/// (what connect-go's clients are tested against) decode them: `&`-separated `name=value` pairs,
/// `+` meaning a space and `%XX` an arbitrary byte.
///
/// Values are kept as bytes, not strings: a percent-encoded `message` is meant to be UTF-8, but
/// decoding it as bytes lets the codec report a bad message precisely. The first occurrence of a
/// name wins; unknown names are ignored, as the protocol requires. A value with a broken `%`
/// escape is only an error when that parameter is actually read.
struct ConnectGetQuery: Sendable {
    private var values: [String: [UInt8]?] = [:]

    init(_ rawQuery: String?) {
        guard let rawQuery else { return }
        for pair in rawQuery.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let nameBytes = Self.decode(parts[0]) else { continue }
            let name = String(decoding: nameBytes, as: UTF8.self)
            guard values[name] == nil else { continue }
            values[name] = .some(parts.count == 2 ? Self.decode(parts[1]) : [])
        }
    }

    /// Whether `name` is present (even with an empty value).
    func contains(_ name: String) -> Bool { values[name] != nil }

    /// The decoded bytes of `name`, `nil` when absent.
    /// - Throws: `invalid_argument` naming the parameter when its `%` escapes are broken.
    func bytes(_ name: String) throws(ConnectError) -> [UInt8]? {
        guard let value = values[name] else { return nil }
        guard let value else {
            throw ConnectError(.invalidArgument, "the \(name) query parameter is not valid percent-encoding")
        }
        return value
    }

    /// The value of `name` as text, `nil` when absent.
    func string(_ name: String) throws(ConnectError) -> String? {
        try bytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `+` to space and `%XX` to its byte; `nil` for a `%` not followed by two hex digits.
    private static func decode(_ encoded: some Collection<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count)
        var iterator = encoded.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                output.append(high << 4 | low)
            default:
                output.append(byte)
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
