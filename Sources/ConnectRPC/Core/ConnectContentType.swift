/// A parsed Connect `Content-Type`: which codec, and whether the body is enveloped (streaming).
///
/// Media types compare case-insensitively. The only parameter understood is `charset`, which must
/// be `utf-8` when present (JSON is always UTF-8); any other parameter is ignored.
public struct ConnectContentType: Sendable, Hashable {
    public var codec: ConnectCodec
    /// `true` for `application/connect+<codec>` (enveloped messages), `false` for unary bodies.
    public var isStreaming: Bool

    public init(codec: ConnectCodec, isStreaming: Bool) {
        self.codec = codec
        self.isStreaming = isStreaming
    }

    /// `nil` when `headerValue` is not one of the four Connect content types.
    public init?(_ headerValue: String) {
        let parts = headerValue.split(separator: ";", omittingEmptySubsequences: false)
        guard let first = parts.first else { return nil }
        let mediaType = first.trimmedASCIIWhitespace().lowercased()
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmedASCIIWhitespace().lowercased()
            var value = pair[1].trimmedASCIIWhitespace().lowercased()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            if name == "charset", value != "utf-8", value != "utf8" { return nil }
        }
        switch mediaType {
        case "application/json": self.init(codec: .json, isStreaming: false)
        case "application/proto": self.init(codec: .proto, isStreaming: false)
        case "application/connect+json": self.init(codec: .json, isStreaming: true)
        case "application/connect+proto": self.init(codec: .proto, isStreaming: true)
        default: return nil
        }
    }

    /// The canonical header value.
    public var headerValue: String {
        isStreaming ? codec.streamContentType : codec.unaryContentType
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs (header values' optional whitespace).
    func trimmedASCIIWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isWhitespace($0) }),
              let end = lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
