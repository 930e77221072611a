import Foundation

/// GitHub's legacy global node ids: base64 of `0<length of Type>:<Type><id>`, e.g.
/// `MDU6SXNzdWUx` (`05:Issue1`) for issue 1. Clients treat them as opaque; they only have to be
/// stable and distinct per type.
enum NodeID {
    static func make(_ type: String, _ id: Int) -> JSONValue {
        .string(Data("0\(type.count):\(type)\(id)".utf8).base64EncodedString())
    }
}
