import Foundation
import GitHubApp
import Testing
import TestSupport

/// Properties of `RepositoryReference.parse` over many seeded, generated entries: it never accepts
/// anything that breaks GitHub's naming rules, and what it produces parses back to itself.
@Suite struct RepositoryReferencePropertyTests {
    /// Builds entries from pieces that are mostly right (so many parse) and often slightly wrong.
    struct EntryGenerator {
        var random: SeededGenerator
        /// Spellings of the configured host (with path prefix, if any), e.g. `github.com`, `GitHub.COM`.
        let nativeHosts: [String]
        let nativeScheme: String

        static let ownerAlphabet = Array("abcXYZ019-")
        static let nameAlphabet = Array("abcXYZ019-._")
        static let junkAlphabet = Array("aZ9-._/:@?#%\\ \t\n~+!'\"é日Ωｒ\u{0}\u{301}\u{200B}\u{A0}")

        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &random)! }
        mutating func word(_ alphabet: [Character], _ lengths: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: lengths, using: &random)).map { _ in pick(alphabet) })
        }

        mutating func owner() -> String {
            if chance(15) { return pick(["", ".", "..", "-o", "o-", "a--b", "ö", "o%41", " o", "o_1", "O.rg", String(repeating: "x", count: 40)]) }
            // Mostly alphanumeric with single inner hyphens.
            var owner = word(Array("abcXYZ019"), 1...3)
            while owner.count < 39, chance(40) { owner += (chance(30) ? "-" : "") + word(Array("abcXYZ019"), 1...4) }
            return chance(10) ? word(Self.ownerAlphabet, 0...41) : owner
        }

        mutating func name() -> String {
            if chance(15) {
                return pick(["", ".", "..", ".git", "..git", "repo.git", "r.git.git", "R.GIT", "ré", "r x", "r?x", "r#x", "日本", ".github", String(repeating: "n", count: 101)])
            }
            return word(Self.nameAlphabet, chance(5) ? 95...102 : 1...12)
        }

        /// Each piece is right most of the time, so about half the entries are valid.
        mutating func structured() -> String {
            let space = [" ", "\t", "\n", "\u{A0}", "\u{3000}", "\u{200B}"]
            let schemes = ["https://", "http://", "ssh://", "git://", "file://", "https:/", "git@", "HTTPS://"]
            let hosts = ["", "gitlab.com", "github.com", "user@github.com", "github.com.", "evil.com/github.com"]
            var entry = chance(80) ? "" : pick(space)
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<45: break  // owner/repo
            case 45..<65: entry += pick(nativeHosts) + "/"
            case 65..<90: entry += pick([nativeScheme, nativeScheme.uppercased()]) + "://" + pick(nativeHosts) + "/"
            default: entry += pick(schemes) + pick(nativeHosts + hosts) + pick(["/", "/", "", ":", "//", "/./"])
            }
            entry += owner() + (chance(90) ? "/" : pick(["//", ":", "\\", "/../", " /"])) + name()
            entry += chance(70) ? pick(["", ".git", "/", ".git/"]) : pick(["/tree/main", "?q=1", "#f", "/x", "/..", ".git.git"])
            return entry + (chance(80) ? "" : pick(space))
        }

        mutating func junk() -> String {
            let pieces = nativeHosts + ["https://", "http://", "/", "//", ".", "..", ".git", "@", ":", " ", "o", "R-e.p_o", "%2F", "ü"]
            return (0..<Int.random(in: 0...8, using: &random)).map { _ in
                chance(50) ? pick(pieces) : word(Self.junkAlphabet, 1...3)
            }.joined()
        }

        mutating func next() -> String { chance(75) ? structured() : junk() }
    }

    /// GitHub's rules, written independently of the parser as regular expressions.
    static func isValidOwner(_ owner: String) -> Bool {
        owner.utf8.count <= 39 && owner.wholeMatch(of: #/[A-Za-z0-9]+(-[A-Za-z0-9]+)*/#) != nil
    }

    static func isValidName(_ name: String) -> Bool {
        (1...100).contains(name.utf8.count) && name != "." && name != ".."
            && name.wholeMatch(of: #/[A-Za-z0-9._\-]+/#) != nil
    }

    static let configurations: [(webURL: String, hosts: [String], seed: UInt64)] = [
        ("https://github.com", ["github.com", "GitHub.COM", "github.com:443"], 0x5EED_0001),
        ("https://ghe.example.com/github/", ["ghe.example.com/github", "GHE.example.com/github"], 0x5EED_0002),
        ("http://127.0.0.1:8790", ["127.0.0.1:8790"], 0x5EED_0003),
    ]

    @Test(arguments: configurations)
    func parsingIsSoundAndIdempotent(configuration: (webURL: String, hosts: [String], seed: UInt64)) throws {
        let webURL = try #require(URL(string: configuration.webURL))
        var generator = EntryGenerator(
            random: SeededGenerator(seed: configuration.seed), nativeHosts: configuration.hosts,
            nativeScheme: webURL.scheme!)
        let count = 10_000
        var accepted = 0
        var failures: [String] = []
        func check(_ condition: Bool, _ what: String, _ input: String) {
            if !condition, failures.count < 20 { failures.append("\(what): \(String(reflecting: input))") }
        }

        for _ in 0..<count {
            let input = generator.next()
            do {
                let reference = try RepositoryReference.parse(input, webURL: webURL)
                accepted += 1
                check(Self.isValidOwner(reference.owner), "invalid owner \(reference.owner)", input)
                check(Self.isValidName(reference.name), "invalid name \(reference.name)", input)
                check(input.contains(reference.owner) && input.contains(reference.name), "parts not from input", input)
                check(reference.key == reference.fullName.lowercased(), "key", input)

                let viaCloneURL = try RepositoryReference.parse(reference.cloneURL(webURL: webURL).absoluteString, webURL: webURL)
                check(viaCloneURL == reference && viaCloneURL.fullName == reference.fullName, "clone URL round trip", input)

                if reference.name.lowercased().hasSuffix(".git") {
                    // `owner/x.git` always means `x`, so a name ending in `.git` round-trips only via its
                    // clone URL; its full name means the stripped name (or nothing, for a name of `.git`).
                    let stripped = try? RepositoryReference.parse(reference.fullName, webURL: webURL)
                    check(stripped.map { $0.name == String(reference.name.dropLast(4)) } ?? true, "full name of a .git name", input)
                } else {
                    let viaFullName = try RepositoryReference.parse(reference.fullName, webURL: webURL)
                    check(viaFullName == reference && viaFullName.fullName == reference.fullName, "full name round trip", input)
                }
            } catch {
                check(error.entry == input, "error entry", input)
                check(!error.message.isEmpty, "error message", input)
            }
        }

        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        // Enough inputs are valid that the properties above are not vacuous, and enough are not.
        #expect(accepted >= count / 5, "only \(accepted) of \(count) accepted")
        #expect(accepted <= count * 4 / 5, "\(accepted) of \(count) accepted")
    }
}
