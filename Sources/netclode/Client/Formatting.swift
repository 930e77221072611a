import Foundation
import SwiftProtobuf

/// Small text helpers shared by the client commands' human output.
enum Formatting {
    /// `owner/repo` for a clone URL such as `https://github.com/owner/repo.git`; the input as is
    /// when it does not look like one.
    static func repoName(_ reference: String) -> String {
        var path = reference
        if let url = URL(string: reference), url.host != nil { path = url.path }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { return reference }
        var name = parts[parts.count - 1]
        if name.hasSuffix(".git") { name.removeLast(4) }
        return "\(parts[parts.count - 2])/\(name)"
    }

    /// `HH:MM:SS` in the local time zone.
    static func clock(_ date: Date) -> String {
        let parts = Calendar.current.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// `2026-01-18T22:50:00Z (5m ago)`, or `-` when the timestamp is absent.
    static func timestamp(_ timestamp: Google_Protobuf_Timestamp, present: Bool, now: Date = Date()) -> String {
        guard present else { return "-" }
        let date = timestamp.date
        return "\(date.ISO8601Format()) (\(age(of: date, now: now)) ago)"
    }

    /// A compact age: `12s`, `5m`, `3h`, `2d`.
    static func age(of date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }

    /// Columns padded to their widest cell, two spaces apart; the last column is not padded.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `text` padded with spaces to `width` characters (never cut).
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

extension Formatting {
    /// `text` right-aligned in `width` characters (never cut).
    static func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
