import Foundation

/// The part of YAML that kubeconfig files use, parsed into ``JSONValue`` (every scalar a string):
/// block mappings and sequences (`- ` items, also "compact" ones such as `- name: x`, and
/// sequences written at their key's indentation, as `kubectl config` does), plain, single- and
/// double-quoted scalars, comments, `---`, and one-line flow collections (`{}`, `[]`,
/// `[a, b]`, `{a: b}`). A file that starts with `{` is read as JSON (kubeconfig may be either).
///
/// Anchors, aliases, tags and block scalars (`|`, `>`) are refused with the line that uses them:
/// `kubectl config view --flatten --raw` never writes them. There is no YAML package in the
/// dependencies, and a kubeconfig needs no more than this.
enum KubeConfigYAML {
    struct ParseError: Error, CustomStringConvertible, Equatable {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    private struct Line {
        let number: Int
        let indent: Int
        var text: String
    }

    static func parse(_ text: String) throws -> JSONValue {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            return try JSONValue.decode(Data(trimmed.utf8))
        }
        var parser = Parser(lines: try lines(of: text))
        guard !parser.lines.isEmpty else { return .object([:]) }
        let value = try parser.node(indent: parser.lines[0].indent)
        if parser.position < parser.lines.count {
            let line = parser.lines[parser.position]
            throw ParseError(line: line.number, message: "unexpected indentation or content: \"\(line.text)\"")
        }
        return value
    }

    /// The meaningful lines: comments, blank lines and document markers removed; tabs in the
    /// indentation refused (YAML forbids them).
    private static func lines(of text: String) throws -> [Line] {
        var result: [Line] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            if indentation.contains("\t") { throw ParseError(line: number, message: "tab in indentation") }
            let content = stripComment(String(line.dropFirst(indentation.count)))
            let body = content.trimmingCharacters(in: .whitespaces)
            if body.isEmpty || body == "---" || body == "..." { continue }
            if body.hasPrefix("%") { throw ParseError(line: number, message: "YAML directives are not supported") }
            result.append(Line(number: number, indent: indentation.count, text: body))
        }
        return result
    }

    /// `text` without a trailing comment: a `#` at the start or after a space, outside quotes.
    private static func stripComment(_ text: String) -> String {
        var quote: Character?
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                if character == open {
                    // '' inside single quotes is an escaped quote, not the end.
                    let next = text.index(after: index)
                    if open == "'", next < text.endIndex, text[next] == "'" {
                        index = text.index(after: next)
                        previous = "'"
                        continue
                    }
                    quote = nil
                } else if open == "\"", character == "\\" {
                    index = text.index(after: index)
                    if index < text.endIndex { index = text.index(after: index) }
                    continue
                }
            } else if character == "#", previous == " " || previous == "\t" {
                return String(text[..<index])
            } else if (character == "\"" || character == "'"), previous == " " || previous == ":" || previous == "-" || previous == "[" || previous == "{" || previous == "," || index == text.startIndex {
                quote = character
            }
            previous = character
            index = text.index(after: index)
        }
        return text
    }

    private struct Parser {
        var lines: [Line]
        var position = 0

        mutating func node(indent: Int) throws -> JSONValue {
            let line = lines[position]
            return isSequenceItem(line.text) ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        private func isSequenceItem(_ text: String) -> Bool {
            text == "-" || text.hasPrefix("- ")
        }

        mutating func sequence(indent: Int) throws -> JSONValue {
            var items: [JSONValue] = []
            while position < lines.count, lines[position].indent == indent, isSequenceItem(lines[position].text) {
                let line = lines[position]
                let rest = String(line.text.dropFirst()).trimmingCharacters(in: .whitespaces)
                if rest.isEmpty {
                    position += 1
                    if position < lines.count, lines[position].indent > indent {
                        items.append(try node(indent: lines[position].indent))
                    } else {
                        items.append(.null)
                    }
                } else if Self.splitKey(rest) != nil || isSequenceItem(rest) {
                    // `- key: value`: a mapping (or `- - x`, a sequence) whose first line starts
                    // where `rest` does; the item's next lines are indented to the same column.
                    let column = indent + (line.text.count - rest.count)
                    lines[position] = Line(number: line.number, indent: column, text: rest)
                    items.append(try node(indent: column))
                } else {
                    items.append(try Self.scalar(rest, line: line.number))
                    position += 1
                }
            }
            return .array(items)
        }

        mutating func mapping(indent: Int) throws -> JSONValue {
            var object: [String: JSONValue] = [:]
            while position < lines.count, lines[position].indent == indent, !isSequenceItem(lines[position].text) {
                let line = lines[position]
                guard let (key, value) = Self.splitKey(line.text) else {
                    throw ParseError(line: line.number, message: "expected \"key: value\", got \"\(line.text)\"")
                }
                let name = try Self.scalar(key, line: line.number).stringValue ?? key
                guard object[name] == nil else { throw ParseError(line: line.number, message: "duplicate key \"\(name)\"") }
                position += 1
                if !value.isEmpty {
                    object[name] = try Self.scalar(value, line: line.number)
                } else if position < lines.count, lines[position].indent > indent {
                    object[name] = try node(indent: lines[position].indent)
                } else if position < lines.count, lines[position].indent == indent, isSequenceItem(lines[position].text) {
                    // A sequence written at its key's indentation (`users:` then `- name: ...`).
                    object[name] = try sequence(indent: indent)
                } else {
                    object[name] = .null
                }
            }
            if position < lines.count, lines[position].indent > indent {
                let line = lines[position]
                throw ParseError(line: line.number, message: "unexpected indentation: \"\(line.text)\"")
            }
            return .object(object)
        }

        /// `key: value` or `key:` at the first `:` followed by a space or the end, outside quotes.
        static func splitKey(_ text: String) -> (String, String)? {
            var quote: Character?
            var index = text.startIndex
            while index < text.endIndex {
                let character = text[index]
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    if index == text.startIndex { quote = character }
                } else if character == "{" || character == "[" {
                    if index == text.startIndex { return nil }
                } else if character == ":" {
                    let next = text.index(after: index)
                    if next == text.endIndex || text[next] == " " {
                        let key = text[..<index].trimmingCharacters(in: .whitespaces)
                        let value = text[next...].trimmingCharacters(in: .whitespaces)
                        return key.isEmpty ? nil : (key, value)
                    }
                }
                index = text.index(after: index)
            }
            return nil
        }

        static func scalar(_ text: String, line: Int) throws -> JSONValue {
            guard let first = text.first else { return .string("") }
            switch first {
            case "\"": return .string(try doubleQuoted(text, line: line))
            case "'":
                guard text.count >= 2, text.hasSuffix("'") else { throw ParseError(line: line, message: "unterminated single-quoted string") }
                return .string(String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'"))
            case "{", "[": return try flow(text, line: line)
            case "&", "*", "!": throw ParseError(line: line, message: "anchors, aliases and tags are not supported (\"\(text)\")")
            case "|", ">": throw ParseError(line: line, message: "block scalars (\(first)) are not supported; write the value on one line")
            default:
                return text == "~" || text == "null" ? .null : .string(text)
            }
        }

        static func doubleQuoted(_ text: String, line: Int) throws -> String {
            guard text.count >= 2, text.hasSuffix("\""), !text.hasSuffix("\\\"") || text.hasSuffix("\\\\\"") else {
                throw ParseError(line: line, message: "unterminated double-quoted string")
            }
            var result = ""
            var characters = text.dropFirst().dropLast().makeIterator()
            while let character = characters.next() {
                guard character == "\\" else {
                    result.append(character)
                    continue
                }
                guard let escaped = characters.next() else { throw ParseError(line: line, message: "dangling backslash") }
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "0": result.append("\0")
                case "\"", "\\", "/", " ": result.append(escaped)
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let digit = characters.next() { hex.append(digit) } }
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                        throw ParseError(line: line, message: "bad \\u escape")
                    }
                    result.unicodeScalars.append(scalar)
                default:
                    throw ParseError(line: line, message: "unsupported escape \\\(escaped)")
                }
            }
            return result
        }

        /// A one-line flow collection: `{}`, `[]`, `[a, "b"]`, `{a: b, c: d}` (one level).
        static func flow(_ text: String, line: Int) throws -> JSONValue {
            let open = text.first!
            let close: Character = open == "{" ? "}" : "]"
            guard text.hasSuffix(String(close)) else {
                throw ParseError(line: line, message: "flow collections must open and close on one line: \"\(text)\"")
            }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            let parts = inner.isEmpty ? [] : inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.contains(where: { $0.first == "{" || $0.first == "[" }) {
                throw ParseError(line: line, message: "nested flow collections are not supported: \"\(text)\"")
            }
            if open == "[" {
                return .array(try parts.map { try scalar($0, line: line) })
            }
            var object: [String: JSONValue] = [:]
            for part in parts {
                guard let (key, value) = splitKey(part) else { throw ParseError(line: line, message: "expected \"key: value\" in \"\(text)\"") }
                object[try scalar(key, line: line).stringValue ?? key] = try scalar(value, line: line)
            }
            return .object(object)
        }
    }
}
