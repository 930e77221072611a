import Foundation

/// What `netclode forge init` was asked to create.
public struct ForgeInitOptions: Sendable {
    public var dataDirectory: URL
    public var appID: Int
    public var owners: [String]
    /// `OWNER/NAME`, created with an initial commit on `main`.
    public var repositories: [String]
    /// `OWNER/NAME=PATH`, cloned bare from a local repository.
    public var imports: [String]
    /// `OWNER/NAME`, on disk but covered by no installation.
    public var uninstalledRepositories: [String]
    /// Created repositories get a few commits of sample files instead of a single README.
    public var sampleContent: Bool
    /// `FORKOWNER/NAME=OWNER/NAME`: a fork (bare clone, covered by no installation) of a
    /// repository declared above, so pull requests can come from another account's repository.
    public var forks: [String]
    /// Logins of users with a token and no role (e.g. to see a non-collaborator refused).
    public var users: [String]
    /// `OWNER/NAME:LOGIN:ROLE` (ROLE: read, triage, write, maintain or admin); LOGIN becomes a
    /// user with a token.
    public var collaborators: [String]
    /// Issues opened at creation, by a user who can see the repository.
    public var issues: [SeedIssue]
    /// Where the App's webhook events go (`DIR/webhook.json`, 0600).
    public var webhook: WebhookSettings?

    public init(dataDirectory: URL, appID: Int = 4242, owners: [String] = [], repositories: [String] = [],
                imports: [String] = [], uninstalledRepositories: [String] = [], sampleContent: Bool = false,
                forks: [String] = [], users: [String] = [], collaborators: [String] = [], issues: [SeedIssue] = [],
                webhook: WebhookSettings? = nil) {
        self.dataDirectory = dataDirectory
        self.appID = appID
        self.owners = owners
        self.repositories = repositories
        self.imports = imports
        self.uninstalledRepositories = uninstalledRepositories
        self.sampleContent = sampleContent
        self.forks = forks
        self.users = users
        self.collaborators = collaborators
        self.issues = issues
        self.webhook = webhook
    }
}

/// An issue `forge init` opens.
public struct SeedIssue: Sendable, Equatable {
    public var repository: String
    public var author: String
    public var title: String
    public var body: String?

    public init(repository: String, author: String, title: String, body: String? = nil) {
        self.repository = repository
        self.author = author
        self.title = title
        self.body = body
    }

    /// `--issue OWNER/NAME:AUTHOR:TITLE` (the title may contain `:`).
    public init(parsing value: String) throws(ForgeError) {
        let parts = value.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[2].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ForgeError.invalidArgument(argument: "--issue \(value)", reason: "expected OWNER/NAME:AUTHOR:TITLE")
        }
        self.init(repository: parts[0], author: parts[1], title: parts[2])
    }
}

extension ForgeInitOptions {
    /// The demo forge `netclode forge` and `netclode dev` seed on first run: one installation
    /// for `netclode-demo` with two repositories, a second for `other-org`, `outsider/secret`
    /// (a repository no installation covers), a writer (`octocat`) and a reader (`monalisa`) on
    /// the demo repositories, and one open issue to try the bot on.
    public static func demo(dataDirectory: URL) -> ForgeInitOptions {
        ForgeInitOptions(
            dataDirectory: dataDirectory,
            repositories: ["netclode-demo/hello", "netclode-demo/widgets", "other-org/tools"],
            uninstalledRepositories: ["outsider/secret"],
            sampleContent: true,
            collaborators: [
                "netclode-demo/hello:octocat:write", "netclode-demo/widgets:octocat:write",
                "netclode-demo/hello:monalisa:read", "netclode-demo/widgets:monalisa:read",
            ],
            issues: [SeedIssue(
                repository: "netclode-demo/hello", author: "octocat", title: "Add a greeting for Netclode",
                body: "`src/hello.py` greets the world. Add a `greet_netclode()` that returns \"Hello, Netclode!\", with a test in `tests/test_hello.py`.")]
        )
    }
}
