import Foundation
import HTTPTypes

/// The header block a CGI program (here `git http-backend`) writes before its body.
struct CGIResponseHead: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]

    /// Finds the end of the header block in `bytes` (`\r\n\r\n` or `\n\n`); returns the parsed head
    /// and the offset of the first body byte, or `nil` if the block is incomplete.
    static func parse(_ bytes: [UInt8]) -> (CGIResponseHead, Int)? {
        var index = 0
        var lineStart = 0
        var lines: [String] = []
        while index < bytes.count {
            if bytes[index] == 0x0A {
                var lineEnd = index
                if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd == lineStart {
                    return (CGIResponseHead(lines: lines), index + 1)
                }
                lines.append(String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self))
                lineStart = index + 1
            }
            index += 1
        }
        return nil
    }

    private init(lines: [String]) {
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                let code = Int(value.prefix { $0.isNumber }) ?? 200
                let reason = value.drop { $0.isNumber }.trimmingCharacters(in: .whitespaces)
                status = HTTPResponse.Status(code: code, reasonPhrase: reason)
            } else if let fieldName = HTTPField.Name(name) {
                headers.append(HTTPField(name: fieldName, value: value))
            }
        }
    }

    private init() {}
}
