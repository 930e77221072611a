/// A message of git's credential-helper protocol (`git help credential`): `key=value` lines,
/// ended by a blank line or the end of input. Keys may repeat (`capability[]=...`, `wwwauth[]=...`).
public struct GitCredentialMessage: Sendable, Equatable {
    public var attributes: [(key: String, value: String)]

    public init(_ attributes: [(key: String, value: String)] = []) {
        self.attributes = attributes
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.attributes.elementsEqual(rhs.attributes) { $0.key == $1.key && $0.value == $1.value }
    }

    /// Parses up to the first blank line; lines without `=` are ignored.
    public static func parse(_ text: String) -> GitCredentialMessage {
        var attributes: [(key: String, value: String)] = []
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty {
                if attributes.isEmpty { continue }
                break
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            attributes.append((String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
        return GitCredentialMessage(attributes)
    }

    /// The first value of `key`.
    public subscript(key: String) -> String? {
        attributes.first { $0.key == key }?.value
    }

    /// `key=value\n` lines (no blank line at the end: git reads to end of input). Values with a
    /// newline or NUL cannot be expressed and are dropped.
    public var encoded: String {
        attributes
            .filter { !$0.value.contains("\n") && !$0.value.contains("\0") && !$0.key.contains("=") }
            .map { "\($0.key)=\($0.value)\n" }
            .joined()
    }

    public var isEmpty: Bool { attributes.isEmpty }
}
