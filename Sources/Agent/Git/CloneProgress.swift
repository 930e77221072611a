/// One progress update of `git clone --progress`, e.g. `Receiving objects:  45% (450/1000), 1.2 MiB | 3.4 MiB/s`
/// → phase `Receiving objects`, percent 45.
///
/// Server-side phases arrive prefixed with `remote: ` (`remote: Counting objects:  12% (5/40)`):
/// the prefix is removed from ``phase`` and recorded in ``isRemote``.
public struct CloneProgress: Sendable, Hashable, CustomStringConvertible {
    public var phase: String
    public var percent: Int
    public var isRemote: Bool
    /// The line ended in `, done.`: the phase is complete.
    public var isDone: Bool

    public init(phase: String, percent: Int, isRemote: Bool = false, isDone: Bool = false) {
        self.phase = phase
        self.percent = percent
        self.isRemote = isRemote
        self.isDone = isDone
    }

    public var description: String { "\(isRemote ? "remote: " : "")\(phase) \(percent)%\(isDone ? " done" : "")" }

    /// Parses one segment of git's progress stream (without its `\r` / `\n`). Lines that are not a
    /// percentage update (`Cloning into 'x'...`, `remote: Enumerating objects: 12, done.`,
    /// `remote: Total 12 (delta 0)`, errors) give nil.
    public static func parse(_ line: some StringProtocol) -> CloneProgress? {
        var text = Substring(line)
        // The server's sideband lines end in padding (8 spaces) or an ANSI "clear to end of line".
        while let last = text.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
            text.removeLast()
        }
        while text.hasSuffix("\u{1B}[K") {
            text.removeLast(3)
            while text.last == " " { text.removeLast() }
        }
        var isRemote = false
        if text.hasPrefix("remote: ") {
            isRemote = true
            text = text.dropFirst("remote: ".count)
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let phase = text[..<colon]
        guard !phase.isEmpty, phase.first?.isLetter == true,
              phase.allSatisfy({ $0.isLetter || $0 == " " || $0 == "-" }) else { return nil }
        var rest = text[text.index(after: colon)...].drop { $0 == " " }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3, let percent = Int(digits), percent <= 100 else { return nil }
        rest = rest.dropFirst(digits.count)
        guard rest.first == "%" else { return nil }
        return CloneProgress(phase: String(phase), percent: percent, isRemote: isRemote, isDone: text.hasSuffix(", done."))
    }
}
