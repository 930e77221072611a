import Foundation

/// Finds `@<handle>` in a comment the way a person means it.
///
/// A mention counts when it stands as a whole word — not inside an email address (`me@netclode.dev`),
/// not as the start of a longer handle (`@netclode-x`, `@netclode_bot`) — and outside what a
/// person quotes rather than says: fenced and inline code, `>` quoted lines, HTML comments.
/// Case does not matter, as on GitHub.
public struct Mention: Sendable, Equatable {
    /// The handle without `@`, e.g. the App's slug.
    public let handle: String

    public init(handle: String) {
        self.handle = handle.hasPrefix("@") ? String(handle.dropFirst()) : handle
    }

    /// Whether `text` mentions the handle.
    public func isMentioned(in text: String) -> Bool {
        !ranges(in: Self.spoken(Self.unixLines(text))).isEmpty
    }

    /// `text` with every counted mention taken out: what the person asks for.
    public func request(from text: String) -> String {
        let text = Self.unixLines(text)
        let spoken = Self.spoken(text)
        var characters = Array(text)
        // `spoken` keeps the text's length and positions (quoted parts are blanked, not removed).
        for range in ranges(in: spoken).reversed() { characters.removeSubrange(range) }
        return String(characters).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func ranges(in spoken: [Character]) -> [Range<Int>] {
        let needle = Array("@" + handle.lowercased())
        guard !handle.isEmpty, spoken.count >= needle.count else { return [] }
        var found: [Range<Int>] = []
        var index = 0
        while index + needle.count <= spoken.count {
            let candidate = index..<(index + needle.count)
            if zip(spoken[candidate], needle).allSatisfy({ $0.lowercased() == String($1) }),
               index == 0 || !Self.continuesWordBefore(spoken[index - 1]),
               candidate.upperBound == spoken.count || !Self.continuesHandle(spoken[candidate.upperBound]) {
                found.append(candidate)
                index = candidate.upperBound
            } else {
                index += 1
            }
        }
        return found
    }

    /// Letters, digits, `_`, `@` and `.` before the `@` make it part of a word or an address.
    private static func continuesWordBefore(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "@" || character == "." || character == "-" || character == "/"
    }

    /// A handle continues with letters, digits, `-` and `_`.
    private static func continuesHandle(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "-" || character == "_"
    }

    /// GitHub sends `\r\n`, which Swift counts as one character: lines are split on `\n` alone.
    private static func unixLines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// The text with code, quotes and HTML comments blanked out (same length, so positions match).
    static func spoken(_ text: String) -> [Character] {
        var out: [Character] = []
        out.reserveCapacity(text.count)
        var inFence = false
        var fenceMarker = ""
        var inComment = false
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if lineIndex > 0 { out.append("\n") }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            let characters = Array(line)
            if !inComment, inFence || trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                if !inFence {
                    inFence = true
                    fenceMarker = String(trimmed.prefix(3))
                } else if trimmed.hasPrefix(fenceMarker) {
                    inFence = false
                }
                out.append(contentsOf: Array(repeating: " ", count: characters.count))
                continue
            }
            if !inComment, trimmed.hasPrefix(">") {
                out.append(contentsOf: Array(repeating: " ", count: characters.count))
                continue
            }
            var index = 0
            var inCode = false
            while index < characters.count {
                if inComment {
                    if characters[index...].starts(with: "-->") {
                        out.append(contentsOf: "   ")
                        index += 3
                        inComment = false
                    } else {
                        out.append(" ")
                        index += 1
                    }
                } else if !inCode, characters[index...].starts(with: "<!--") {
                    out.append(contentsOf: "    ")
                    index += 4
                    inComment = true
                } else if characters[index] == "`" {
                    inCode.toggle()
                    out.append(" ")
                    index += 1
                } else {
                    out.append(inCode ? " " : characters[index])
                    index += 1
                }
            }
        }
        return out
    }
}
