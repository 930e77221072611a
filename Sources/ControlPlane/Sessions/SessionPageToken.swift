import Foundation
import Storage

/// The position after the last session of a `ListSessions` page: its creation time (in
/// milliseconds, the precision sessions are stored with) and its ID, the listing's sort key.
///
/// A position rather than an offset, so sessions created or deleted between two pages neither
/// repeat nor skip the ones already listed. On the wire it is opaque (base64url of
/// `v1:<millis>:<id>`): clients pass it back unchanged.
struct SessionPageToken: Sendable, Equatable, Comparable {
    let createdAtMillis: Int64
    let id: String

    init(createdAtMillis: Int64, id: String) {
        self.createdAtMillis = createdAtMillis
        self.id = id
    }

    /// The sort key of `record`.
    init(_ record: SessionRecord) {
        self.init(createdAtMillis: Int64((record.createdAt.timeIntervalSince1970 * 1000).rounded()), id: record.id)
    }

    /// Parses what ``encoded`` produced; nil for anything else.
    init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard encoded.count <= 256, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let millis = Int64(parts[1]), millis >= 0,
              !parts[2].isEmpty, parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        self.init(createdAtMillis: millis, id: String(parts[2]))
    }

    var encoded: String {
        Data("v1:\(createdAtMillis):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func < (lhs: SessionPageToken, rhs: SessionPageToken) -> Bool {
        (lhs.createdAtMillis, lhs.id) < (rhs.createdAtMillis, rhs.id)
    }
}
