import HTTPTypes

/// Header names and values of the Connect protocol.
extension HTTPField.Name {
    /// `Connect-Protocol-Version`: when present it must be `1`.
    public static let connectProtocolVersion = HTTPField.Name("Connect-Protocol-Version")!
    /// `Connect-Timeout-Ms`: the caller's deadline, in milliseconds from when the call was sent.
    public static let connectTimeoutMs = HTTPField.Name("Connect-Timeout-Ms")!
    /// `Connect-Content-Encoding`: compression of stream envelopes.
    public static let connectContentEncoding = HTTPField.Name("Connect-Content-Encoding")!
    /// `Connect-Accept-Encoding`: compressions a stream peer accepts.
    public static let connectAcceptEncoding = HTTPField.Name("Connect-Accept-Encoding")!
}

/// Parsing and formatting of `Connect-Timeout-Ms`.
public enum ConnectTimeout {
    /// Parses a header value: a positive integer of at most 10 digits, per the protocol.
    /// `nil` for anything else.
    public static func parse(_ value: String) -> Duration? {
        guard !value.isEmpty, value.count <= 10, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let milliseconds = Int64(value)
        else { return nil }
        return .milliseconds(milliseconds)
    }

    /// Formats `timeout` as a header value, rounding up to whole milliseconds (at least 1) and
    /// capping at the protocol's 10 digits.
    public static func headerValue(for timeout: Duration) -> String {
        let (seconds, attoseconds) = timeout.components
        var milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if attoseconds % 1_000_000_000_000_000 != 0 { milliseconds += 1 }
        return String(min(max(milliseconds, 1), 9_999_999_999))
    }
}
