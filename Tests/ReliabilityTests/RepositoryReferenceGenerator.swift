import Foundation
import TestSupport

/// Generates repository references near the edge of what `CreateSession` accepts: well-formed
/// ones on accounts no installation covers, and ones broken in the ways users and attackers break
/// them (other hosts, credentials, extra segments, `..`, odd characters, overlong names).
enum RepositoryReferenceGenerator {
    static let ownerCharacters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
    static let repoCharacters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    static let junk = [" ", "..", "/", "//", "@", ":", "?", "#", "%2F", "é", "\u{0}", "\n", "\t", "~", "*", "\\", "'", "\"",
                       "<", "😀", "\u{202E}", ".", "-", "--", "\u{FF0F}", "%00"]
    /// Prefixes that can never be right against a forge at `webURL`.
    static let foreignPrefixes = ["https://github.com/", "http://github.com/", "github.com/", "https://gitlab.com/", "ftp://x/",
                                  "git@github.com:", "https://user:pw@github.com/", "HTTPS://GITHUB.COM/", "//", "file:///"]

    static func next(using random: inout SeededGenerator, webURL: String) -> String {
        if random.chance(0.01) { return "" }
        // Owners start with "fz", which no forge account does, so a well-formed reference ends at
        // the installation lookup (not_found) and never at a mint.
        var owner = "fz" + String((0..<Int.random(in: 0...40, using: &random)).map { _ in random.pick(ownerCharacters) })
        var repo = String((0..<Int.random(in: 0...104, using: &random)).map { _ in random.pick(repoCharacters) })
        if random.chance(0.05) { repo = random.pick([".", "..", ".git", "-"]) }
        if random.chance(0.3) { insertJunk(into: &owner, using: &random) }
        if random.chance(0.3) { insertJunk(into: &repo, using: &random) }
        let prefix = random.pick(["", "", "", "", webURL + "/", webURL.uppercased() + "/", webURL + "//"] + foreignPrefixes)
        let suffix = random.pick(["", "", "", "", ".git", "/", ".git/", "/tree/main", "?x=1", "#readme", "/extra", ".git.git", "//"])
        return prefix + owner + "/" + repo + suffix
    }

    private static func insertJunk(into text: inout String, using random: inout SeededGenerator) {
        let position = text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &random))
        text.insert(contentsOf: random.pick(junk), at: position)
    }

    /// References the rules refuse whatever else is true of them (an independent, deliberately
    /// conservative reading of DESIGN.md §1).
    /// Surrounding whitespace (a pasted line break) is forgiven, so it is trimmed first.
    static func mustBeRefused(_ untrimmed: String) -> Bool {
        let reference = untrimmed.trimmingCharacters(in: .whitespacesAndNewlines)
        if reference.isEmpty || !isPrintableASCII(reference) { return true }
        if reference.contains(where: { " @?#%\\'\"<*~".contains($0) }) { return true }
        // `..` as a path segment (`a..b` is a legal repository name).
        let path = reference.split(separator: "?").first.map(String.init) ?? reference
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) { return true }
        return foreignPrefixes.contains { reference.hasPrefix($0) }
    }

    static func isPrintableASCII(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
    }
}
