import NIOCore

/// A message compression (a Connect "content coding") this module implements.
///
/// Only gzip: it is the one every Connect implementation supports, and the protocol lets each side
/// fall back to `identity` (no compression), which is always accepted and needs no case here.
/// Unary calls name the compression in `Content-Encoding` / `Accept-Encoding`; streams in
/// `Connect-Content-Encoding` / `Connect-Accept-Encoding` with per-envelope flags; Connect GET in
/// the `compression` query parameter.
public enum ConnectCompression: String, Sendable, Hashable, CaseIterable {
    case gzip

    /// The names a server accepts, for `Accept-Encoding` headers and error messages: `gzip`.
    public static let acceptedNames = allCases.map(\.rawValue).joined(separator: ", ")

    /// `payload` compressed.
    public func compress(_ payload: ByteBuffer) -> ByteBuffer {
        switch self {
        case .gzip: Gzip.compress(payload)
        }
    }

    /// `payload` decompressed, refusing output over `limit` bytes with `resource_exhausted` and
    /// data that does not decompress with `invalid_argument`. Zero-length payloads are returned as
    /// they are, as the protocol requires (an empty message is sent as zero bytes, uncompressed).
    ///
    /// - Parameter what: names the payload in error messages ("request message", ...).
    public func decompress(_ payload: ByteBuffer, limit: Int, what: String) throws(ConnectError) -> ByteBuffer {
        guard payload.readableBytes > 0 else { return payload }
        do throws(Gzip.Failure) {
            switch self {
            case .gzip: return try Gzip.decompress(payload, limit: limit)
            }
        } catch {
            switch error {
            case .tooLarge(let limit):
                throw ConnectError(.resourceExhausted, "\(what) exceeds the limit of \(limit) bytes after \(rawValue) decompression")
            case .malformed(let reason):
                throw ConnectError(.invalidArgument, "\(what) could not be decompressed with \(rawValue): \(reason)")
            }
        }
    }

    /// The compression a request says it uses (`Content-Encoding`, `Connect-Content-Encoding` or
    /// the GET `compression` parameter): `nil` for none, empty or `identity`.
    ///
    /// - Throws: `unimplemented` for any other name, listing the supported ones, as the protocol asks.
    /// - Parameter field: the header or parameter name, for the error message.
    public static func requested(_ value: String?, field: String) throws(ConnectError) -> ConnectCompression? {
        guard let value else { return nil }
        let name = value.trimmedASCIIWhitespace().lowercased()
        if name.isEmpty || name == "identity" { return nil }
        guard let compression = ConnectCompression(rawValue: name) else {
            throw ConnectError(.unimplemented,
                               "\(field) \"\(value)\" is not supported; supported encodings are \(acceptedNames), identity")
        }
        return compression
    }

    /// The compression to answer with, per the protocol's negotiation rules.
    ///
    /// `accept` (`Accept-Encoding` / `Connect-Accept-Encoding`) is an ordered list, most preferred
    /// first; the first entry this module supports wins, and `identity` listed before it means no
    /// compression. Quality values are tolerated: an entry with `q=0` is skipped. Without the
    /// header, the client is assumed to accept what it sent (`requestCompression`).
    public static func negotiateResponse(accept: String?, requestCompression: ConnectCompression?) -> ConnectCompression? {
        guard let accept else { return requestCompression }
        for entry in accept.split(separator: ",") {
            let parts = entry.split(separator: ";")
            guard let first = parts.first else { continue }
            let name = first.trimmedASCIIWhitespace().lowercased()
            let refused = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].trimmedASCIIWhitespace().lowercased() == "q" else { return false }
                return (Double(pair[1].trimmedASCIIWhitespace()) ?? 1) <= 0
            }
            if refused { continue }
            if name == "identity" { return nil }
            if let compression = ConnectCompression(rawValue: name) { return compression }
        }
        return nil
    }
}
