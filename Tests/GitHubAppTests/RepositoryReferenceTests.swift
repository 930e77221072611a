import Foundation
import GitHubApp
import Testing

/// Example tables for `RepositoryReference.parse` and `RepositorySelection.parse` (DESIGN.md §1).
@Suite struct RepositoryReferenceTests {
    static let github = URL(string: "https://github.com")!
    static let ghes = URL(string: "https://ghe.example.com")!
    static let ghesWithPrefix = URL(string: "https://ghe.example.com/github/")!
    static let forge = URL(string: "http://127.0.0.1:8790")!

    static let long39 = String(repeating: "a", count: 39)
    static let long100 = String(repeating: "r", count: 100)

    /// input → (fullName, clone URL) against https://github.com.
    static let accepted: [(String, String, String)] = [
        ("owner/repo", "owner/repo", "https://github.com/owner/repo.git"),
        ("https://github.com/owner/repo", "owner/repo", "https://github.com/owner/repo.git"),
        ("https://github.com/owner/repo.git", "owner/repo", "https://github.com/owner/repo.git"),
        ("github.com/owner/repo", "owner/repo", "https://github.com/owner/repo.git"),
        ("github.com/owner/repo.git", "owner/repo", "https://github.com/owner/repo.git"),
        // Regression: `.git` is stripped once, so the clone URL never ends in `.git.git`.
        ("owner/repo.git", "owner/repo", "https://github.com/owner/repo.git"),
        ("owner/repo.git.git", "owner/repo.git", "https://github.com/owner/repo.git.git"),
        ("owner/Repo.GIT", "owner/Repo", "https://github.com/owner/Repo.git"),
        // Regression: a trailing slash never yields an empty name.
        ("https://github.com/o/r/", "o/r", "https://github.com/o/r.git"),
        ("https://github.com/o/r.git/", "o/r", "https://github.com/o/r.git"),
        ("o/r/", "o/r", "https://github.com/o/r.git"),
        ("github.com/o/r/", "o/r", "https://github.com/o/r.git"),
        ("  owner/repo \n", "owner/repo", "https://github.com/owner/repo.git"),
        ("\thttps://github.com/owner/repo\r\n", "owner/repo", "https://github.com/owner/repo.git"),
        ("https://GitHub.com/Owner/Repo", "Owner/Repo", "https://github.com/Owner/Repo.git"),
        ("HTTPS://GITHUB.COM/o/r", "o/r", "https://github.com/o/r.git"),
        ("GitHub.com/o/r", "o/r", "https://github.com/o/r.git"),
        ("https://github.com:443/o/r", "o/r", "https://github.com/o/r.git"),
        ("my-org/my.repo_name-2", "my-org/my.repo_name-2", "https://github.com/my-org/my.repo_name-2.git"),
        ("o/.github", "o/.github", "https://github.com/o/.github.git"),
        ("o/-_.", "o/-_.", "https://github.com/o/-_..git"),
        ("a/b", "a/b", "https://github.com/a/b.git"),
        ("a1-b2-c3/x", "a1-b2-c3/x", "https://github.com/a1-b2-c3/x.git"),
        ("\(long39)/\(long100)", "\(long39)/\(long100)", "https://github.com/\(long39)/\(long100).git"),
    ]

    @Test(arguments: accepted)
    func acceptsOnGitHub(input: String, fullName: String, cloneURL: String) throws {
        let reference = try RepositoryReference.parse(input, webURL: Self.github)
        #expect(reference.fullName == fullName)
        #expect(reference.description == fullName)
        #expect(reference.cloneURL(webURL: Self.github).absoluteString == cloneURL)
        #expect(try RepositoryReference.parse(input) == reference, "the default web URL is github.com")
    }

    static let acceptedElsewhere: [(URL, String, String, String)] = [
        (ghes, "o/r", "o/r", "https://ghe.example.com/o/r.git"),
        (ghes, "https://ghe.example.com/o/r.git", "o/r", "https://ghe.example.com/o/r.git"),
        (ghes, "https://GHE.Example.com/Owner/Repo/", "Owner/Repo", "https://ghe.example.com/Owner/Repo.git"),
        (ghes, "ghe.example.com/o/r", "o/r", "https://ghe.example.com/o/r.git"),
        (ghesWithPrefix, "o/r", "o/r", "https://ghe.example.com/github/o/r.git"),
        (ghesWithPrefix, "https://ghe.example.com/github/o/r", "o/r", "https://ghe.example.com/github/o/r.git"),
        (ghesWithPrefix, "ghe.example.com/github/o/r.git/", "o/r", "https://ghe.example.com/github/o/r.git"),
        (forge, "o/r", "o/r", "http://127.0.0.1:8790/o/r.git"),
        (forge, "http://127.0.0.1:8790/o/r.git", "o/r", "http://127.0.0.1:8790/o/r.git"),
        (forge, "http://127.0.0.1:8790/o/r/", "o/r", "http://127.0.0.1:8790/o/r.git"),
        (forge, "127.0.0.1:8790/o/r", "o/r", "http://127.0.0.1:8790/o/r.git"),
        (URL(string: "https://github.com/")!, "o/r", "o/r", "https://github.com/o/r.git"),
    ]

    @Test(arguments: acceptedElsewhere)
    func acceptsOnEnterpriseAndForge(webURL: URL, input: String, fullName: String, cloneURL: String) throws {
        let reference = try RepositoryReference.parse(input, webURL: webURL)
        #expect(reference.fullName == fullName)
        #expect(reference.cloneURL(webURL: webURL).absoluteString == cloneURL)
    }

    typealias Reason = RepositoryReferenceError.Reason

    /// input → reason against https://github.com.
    static let rejected: [(String, Reason)] = [
        ("", .empty),
        ("   ", .empty),
        (" \t\n ", .empty),
        ("https://gitlab.com/o/r", .otherHost("gitlab.com")),
        ("gitlab.com/o/r", .otherHost("gitlab.com")),
        ("https://github.com.evil.com/o/r", .otherHost("github.com.evil.com")),
        ("https://evil.com/github.com/o/r", .otherHost("evil.com")),
        ("https://github.com:8443/o/r", .otherHost("github.com:8443")),
        ("https:///o/r", .otherHost("")),
        ("http://github.com/o/r", .insecureScheme),
        ("HTTP://github.com/o/r", .insecureScheme),
        ("git@github.com:o/r.git", .unsupportedScheme("ssh")),
        ("github.com:o/r", .unsupportedScheme("ssh")),
        ("ssh://git@github.com/o/r.git", .unsupportedScheme("ssh")),
        ("git://github.com/o/r.git", .unsupportedScheme("git")),
        ("file:///tmp/o/r", .unsupportedScheme("file")),
        ("git+ssh://github.com/o/r", .unsupportedScheme("git+ssh")),
        ("https:/github.com/o/r", .malformedURL),
        ("https:github.com/o/r", .malformedURL),
        ("https://user:pw@github.com/o/r", .credentialsInURL),
        ("https://token@github.com/o/r", .credentialsInURL),
        ("https://x-access-token:ghs_abc@github.com/o/r.git", .credentialsInURL),
        ("token@github.com/o/r", .credentialsInURL),
        ("https://github.com/o/r?tab=readme", .queryOrFragment),
        ("https://github.com/o/r#readme", .queryOrFragment),
        ("o/r?x", .queryOrFragment),
        ("o/r#x", .queryOrFragment),
        ("https://github.com/o/r/tree/main", .extraPathSegments),
        ("o/r/x", .extraPathSegments),
        ("github.com/o/r/x", .extraPathSegments),
        ("o/../r", .dotSegment),
        ("../o/r", .dotSegment),
        ("./o/r", .dotSegment),
        ("o/..", .dotSegment),
        ("o/.", .dotSegment),
        ("https://github.com/o/r/..", .dotSegment),
        ("https://github.com/../o/r", .dotSegment),
        ("/r", .missingOwner),
        ("/", .missingOwner),
        ("https://github.com", .missingOwner),
        ("https://github.com/", .missingOwner),
        ("github.com/", .missingOwner),
        ("o/", .missingName),
        ("o", .missingName),
        ("o/.git", .missingName),
        ("o/.GIT/", .missingName),
        ("https://github.com/o", .missingName),
        ("github.com/o", .missingName),
        ("o//r", .emptySegment),
        ("/o/r", .emptySegment),
        ("https://github.com//o/r", .emptySegment),
        ("-o/r", .invalidOwner("-o")),
        ("o-/r", .invalidOwner("o-")),
        ("o--p/r", .invalidOwner("o--p")),
        ("o_p/r", .invalidOwner("o_p")),
        ("o.p/r", .invalidOwner("o.p")),
        ("\(long39)a/r", .invalidOwner("\(long39)a")),
        ("ö/r", .invalidOwner("ö")),
        ("o%41/r", .invalidOwner("o%41")),
        ("o p/r", .invalidOwner("o p")),
        ("o/r%20x", .invalidName("r%20x")),
        ("o/ré", .invalidName("ré")),
        ("o/ｒ", .invalidName("ｒ")),
        ("o/r r", .invalidName("r r")),
        ("o/r!", .invalidName("r!")),
        ("o/r\\x", .invalidName("r\\x")),
        ("o/\(long100)x", .invalidName("\(long100)x")),
        ("o/...git", .invalidName("..")),
        ("o/..git", .invalidName(".")),
    ]

    @Test(arguments: rejected)
    func rejectsOnGitHub(input: String, reason: Reason) {
        let error = #expect(throws: RepositoryReferenceError.self) {
            try RepositoryReference.parse(input, webURL: Self.github)
        }
        #expect(error?.reason == reason)
        #expect(error?.entry == input)
        #expect(error?.message.contains(String(reflecting: input)) == true, "the message names the entry")
        #expect(error?.description == error?.message)
    }

    static let rejectedElsewhere: [(URL, String, Reason)] = [
        (ghes, "https://github.com/o/r", .otherHost("github.com")),
        (ghes, "github.com/o/r", .otherHost("github.com")),
        (ghes, "http://ghe.example.com/o/r", .insecureScheme),
        (ghesWithPrefix, "https://ghe.example.com/o/r", .otherHost("ghe.example.com")),
        (ghesWithPrefix, "https://ghe.example.com/githubx/o/r", .otherHost("ghe.example.com")),
        (ghesWithPrefix, "https://ghe.example.com/github/o/r/x", .extraPathSegments),
        (forge, "https://127.0.0.1:8790/o/r", .unsupportedScheme("https")),
        (forge, "https://github.com/o/r", .unsupportedScheme("https")),
        (forge, "http://127.0.0.1/o/r", .otherHost("127.0.0.1")),
        (forge, "http://127.0.0.1:8791/o/r", .otherHost("127.0.0.1:8791")),
        (forge, "http://localhost:8790/o/r", .otherHost("localhost:8790")),
        (forge, "http://u:p@127.0.0.1:8790/o/r", .credentialsInURL),
    ]

    @Test(arguments: rejectedElsewhere)
    func rejectsOnEnterpriseAndForge(webURL: URL, input: String, reason: Reason) {
        let error = #expect(throws: RepositoryReferenceError.self) {
            try RepositoryReference.parse(input, webURL: webURL)
        }
        #expect(error?.reason == reason)
        #expect(error?.message.contains("\"\(input)\"") == true, "the message names the entry")
    }

    @Test func messagesSayWhatIsWrongAndWhatIsAccepted() {
        func message(_ input: String, _ webURL: URL = Self.github) -> String {
            do {
                _ = try RepositoryReference.parse(input, webURL: webURL)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message("http://github.com/o/r").hasPrefix(#"invalid repository "http://github.com/o/r": only https URLs are accepted"#))
        #expect(message("https://gitlab.com/o/r").contains("use owner/repo or https://github.com/owner/repo"))
        #expect(message("https://gitlab.com/o/r", Self.ghesWithPrefix).contains("https://ghe.example.com/github/owner/repo"))
        #expect(message("o--p/r").contains("double hyphen"))
        #expect(message("o/r!").contains("1–100"))
        #expect(message("git@github.com:o/r.git").contains("ssh URLs are not accepted"))
        // An entry with a line break is escaped, so it cannot forge a log line.
        #expect(message("o/r\ninjected").contains(#""o/r\ninjected""#))
        #expect(!message("o/r\ninjected").contains("\n"))
    }

    @Test func comparesCaseInsensitivelyButKeepsSpelling() throws {
        let upper = try RepositoryReference.parse("Owner/Repo", webURL: Self.github)
        let lower = try RepositoryReference.parse("https://github.com/owner/repo.git", webURL: Self.github)
        #expect(upper == lower)
        #expect(Set([upper, lower]).count == 1)
        #expect(upper.owner == "Owner" && upper.name == "Repo")
        #expect(upper.key == "owner/repo" && upper.ownerKey == "owner")
        #expect(try RepositoryReference.parse("owner/other") != upper)
    }

    @Test func initValidatesParts() throws {
        let reference = try RepositoryReference(owner: "Owner", name: "repo.git")
        #expect(reference.name == "repo.git", "the memberwise form takes the name literally")
        #expect(throws: RepositoryReferenceError(entry: "-x/r", reason: .invalidOwner("-x"))) {
            try RepositoryReference(owner: "-x", name: "r")
        }
        #expect(throws: RepositoryReferenceError(entry: "o/..", reason: .invalidName(".."))) {
            try RepositoryReference(owner: "o", name: "..")
        }
        #expect(throws: RepositoryReferenceError(entry: "/r", reason: .missingOwner)) {
            try RepositoryReference(owner: "", name: "r")
        }
        #expect(throws: RepositoryReferenceError(entry: "o/", reason: .missingName)) {
            try RepositoryReference(owner: "o", name: "")
        }
    }

    @Test func cloneURLHandlesTrailingSlashesAndPrefixes() throws {
        let reference = try RepositoryReference(owner: "Owner", name: "Repo")
        #expect(reference.cloneURL(webURL: URL(string: "https://github.com/")!).absoluteString == "https://github.com/Owner/Repo.git")
        #expect(reference.cloneURL(webURL: URL(string: "https://ghe.example.com/prefix//")!).absoluteString
            == "https://ghe.example.com/prefix/Owner/Repo.git")
    }

    // MARK: - Selections

    @Test func selectionDeduplicatesKeepingFirstSpellingAndOrder() throws {
        let selection = try RepositorySelection.parse(
            ["Owner/Repo", "a/b", "owner/repo", "https://github.com/OWNER/REPO.git", " A/B/ "], webURL: Self.github)
        #expect(selection.map(\.fullName) == ["Owner/Repo", "a/b"])
        #expect(try RepositorySelection.parse(["Owner/Repo", "owner/repo", "https://github.com/OWNER/REPO.git"])
            .map(\.fullName) == ["Owner/Repo"])
        #expect(try RepositorySelection.parse([], webURL: Self.github).isEmpty)
    }

    @Test func selectionThrowsTheFirstBadEntry() {
        #expect(throws: RepositoryReferenceError(entry: "bad//x", reason: .emptySegment)) {
            try RepositorySelection.parse(["o/r", "bad//x", "http://github.com/o/r"], webURL: Self.github)
        }
        // A bad entry is reported even when the list is also too long.
        let many = (0..<150).map { "o/r\($0)" } + ["o/r?x"]
        #expect(throws: RepositoryReferenceError(entry: "o/r?x", reason: .queryOrFragment)) {
            try RepositorySelection.parse(many, webURL: Self.github)
        }
    }

    @Test func selectionAllowsAtMostOneHundredDistinctRepositories() throws {
        let hundred = (1...100).map { "owner/repo\($0)" }
        #expect(try RepositorySelection.parse(hundred, webURL: Self.github).count == 100)
        // Duplicates do not count towards the limit.
        let withDuplicates = hundred + hundred.map { $0.uppercased() }
        #expect(try RepositorySelection.parse(withDuplicates, webURL: Self.github).count == 100)

        let error = RepositoryReferenceError(entry: "101 repositories", reason: .tooMany(101))
        #expect(throws: error) {
            try RepositorySelection.parse(hundred + ["owner/repo101"], webURL: Self.github)
        }
        #expect(error.message.contains("101 repositories") && error.message.contains("at most 100"))
        #expect(RepositorySelection.maximumCount == 100)
    }
}
