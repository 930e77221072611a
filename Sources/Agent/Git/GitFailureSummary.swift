/// Turns the stderr of a failed git command into the message a user sees: the last meaningful
/// lines (no progress, no `Cloning into`), with every credential redacted.
public enum GitFailureSummary {
    /// At most this many lines are kept.
    public static let maximumLines = 4

    /// - Parameters:
    ///   - lines: git's stderr segments (split at `\r` / `\n`).
    ///   - repository: `owner/name`, named in the explanation added to a credential prompt failure.
    ///   - exitCode: used when git printed nothing useful.
    public static func message(lines: [String], repository: String, exitCode: Int32, knownSecrets: [String] = []) -> String {
        var meaningful: [String] = []
        for raw in lines {
            let line = raw.trimmingTrailingPadding()
            guard !line.isEmpty, !isNoise(line) else { continue }
            meaningful.append(line)
        }
        var kept = Array(meaningful.suffix(maximumLines))
        if kept.isEmpty {
            kept = ["git exited with status \(exitCode)"]
        }
        var text = kept.joined(separator: "\n")
        // No credential for this repository: git had nothing to answer GitHub's 401 with and
        // prompting is off. For the user this is GitHub's "Repository not found".
        if !text.contains("Repository not found"),
           text.contains("could not read Username") || text.contains("could not read Password")
            || text.contains("terminal prompts disabled") {
            text = "Repository not found: no token of this session covers \(repository)\n" + text
        }
        return SecretRedactor.redact(text, knownSecrets: knownSecrets)
    }

    static func isNoise(_ line: String) -> Bool {
        if CloneProgress.parse(line) != nil { return true }
        if line.hasPrefix("Cloning into ") { return true }
        var body = Substring(line)
        if body.hasPrefix("remote: ") { body = body.dropFirst("remote: ".count) }
        return body.hasPrefix("Enumerating objects:") || body.hasPrefix("Total ") || body.hasPrefix("Counting objects:")
            || body.hasPrefix("Compressing objects:")
    }
}

extension String {
    /// Without trailing blanks and the ANSI "clear to end of line" git's sideband appends.
    func trimmingTrailingPadding() -> String {
        var text = Substring(self)
        while true {
            if let last = text.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
                text.removeLast()
            } else if text.hasSuffix("\u{1B}[K") {
                text.removeLast(3)
            } else {
                break
            }
        }
        return String(text)
    }
}
