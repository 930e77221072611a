import Foundation

/// GitHub's timestamp format: ISO 8601 in UTC with seconds, `2024-11-25T01:00:02Z`.
public enum GitHubTime {
    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }

    public static func date(from string: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(string)
    }
}
