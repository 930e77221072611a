import ArgumentParser
import Forge
import Foundation

/// `netclode forge init`: create a forge data directory (App, key, installations, repositories).
struct ForgeInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a forge: a GitHub App with a fresh key, one installation per owner, bare repositories.",
        discussion: """
            Example: netclode forge init --data /tmp/forge --repo acme/api --import acme/big=$HOME/src/big --uninstalled-repo outsider/secret

            People: --collaborator acme/api:alice:write gives alice a role and a user token (written to DIR/users/alice.token, 0600; \
            use it as `Authorization: Bearer $(cat DIR/users/alice.token)`); --issue acme/api:alice:TITLE opens an issue as alice.

            Webhook: --webhook-url http://127.0.0.1:8080/webhooks/github --webhook-secret S delivers the App's events there, signed \
            (kept in DIR/webhook.json, 0600; change it later with PUT /_forge/webhook).
            """
    )

    @Option(name: .long, help: "The forge's data directory (must not exist yet, or be empty).")
    var data: String

    @Option(name: .customLong("app-id"), help: "The App's ID.")
    var appID: Int = 4242

    @Option(name: .customLong("owner"), help: "An account to install the App on (repeatable).")
    var owners: [String] = []

    @Option(name: .customLong("repo"), help: "OWNER/NAME: a repository with an initial commit on main, covered by OWNER's installation (repeatable).")
    var repos: [String] = []

    @Option(name: .customLong("import"), help: "OWNER/NAME=PATH: a repository cloned bare from a local git repository (repeatable).")
    var imports: [String] = []

    @Option(name: .customLong("uninstalled-repo"), help: "OWNER/NAME: a repository no installation covers (repeatable).")
    var uninstalledRepos: [String] = []

    @Option(name: .customLong("fork"), help: "FORKOWNER/NAME=OWNER/NAME: a fork of a repository above, owned by another account, covered by no installation (repeatable).")
    var forks: [String] = []

    @Option(name: .customLong("user"), help: "LOGIN: a user with a token and no role on any repository (repeatable).")
    var users: [String] = []

    @Option(name: .customLong("collaborator"), help: "OWNER/NAME:LOGIN:ROLE (read, triage, write, maintain, admin): LOGIN's role on a repository; LOGIN gets a user token (repeatable).")
    var collaborators: [String] = []

    @Option(name: .customLong("issue"), help: "OWNER/NAME:AUTHOR:TITLE: an open issue by AUTHOR, who must own or collaborate on the repository (repeatable).")
    var issues: [String] = []

    @Option(name: .customLong("webhook-url"), help: "Where the App's webhook events are delivered (http:// or https://).")
    var webhookURL: String?

    @Option(name: .customLong("webhook-secret"), help: "The secret signing deliveries (X-Hub-Signature-256); without it they go unsigned, as GitHub sends them.")
    var webhookSecret: String?

    @Flag(name: .long, help: "Print a JSON object instead of text.")
    var json = false

    func run() async throws {
        let result: ForgeInitResult
        do {
            if webhookSecret != nil && webhookURL == nil {
                throw ForgeError.invalidArgument(argument: "--webhook-secret", reason: "needs --webhook-url")
            }
            let options = ForgeInitOptions(
                dataDirectory: URL(fileURLWithPath: data), appID: appID, owners: owners, repositories: repos,
                imports: imports, uninstalledRepositories: uninstalledRepos, forks: forks, users: users, collaborators: collaborators,
                issues: try issues.map { try SeedIssue(parsing: $0) },
                webhook: try webhookURL.map { try WebhookSettings(url: $0, secret: webhookSecret) })
            result = try await ForgeInitializer.initialise(options)
        } catch let error as ForgeError {
            ForgeCommand.fail(error)
        }
        if json {
            print(result.json.jsonString)
            return
        }
        print("Forge created in \(URL(fileURLWithPath: data).standardizedFileURL.path)")
        print("App: \(result.metadata.app.name) (ID \(result.metadata.app.id), slug \(result.metadata.app.slug), client ID \(result.metadata.app.clientID))")
        print("Private key: \(result.privateKeyPath)")
        print("Installations:")
        for installation in result.installations {
            let repositories = installation.repositories.isEmpty ? "(no repositories)" : installation.repositories.joined(separator: ", ")
            print("  \(installation.id)  \(installation.account): \(repositories)")
        }
        if !result.uninstalledRepositories.isEmpty {
            print("Repositories without an installation: \(result.uninstalledRepositories.joined(separator: ", "))")
        }
        if !result.forks.isEmpty {
            print("Forks: \(result.forks.joined(separator: ", "))")
        }
        if !result.userTokenPaths.isEmpty {
            print("Users (token in the file named):")
            for user in result.userTokenPaths {
                let roles = result.roles(of: user.login)
                print("  \(user.login) \(roles.isEmpty ? "(no role)" : roles.joined(separator: ", "))  \(user.path)")
            }
        }
        if let webhook = result.webhook {
            print("Webhook: \(webhook.url) (\(webhook.secret == nil ? "unsigned" : "signed"))")
        }
        print("")
        print("Start it with: netclode forge serve --data \(data)")
        print("Then point Netclode at it:")
        print("export GITHUB_APP_ID=\(result.metadata.app.id)")
        print("export GITHUB_APP_PRIVATE_KEY_PATH=\(result.privateKeyPath)")
        if let first = result.installations.first {
            print("export GITHUB_INSTALLATION_ID=\(first.id)")
        }
        print("export GITHUB_API_URL=\(ForgeServerOptions.defaultListen.url())")
        print("export GITHUB_WEB_URL=\(ForgeServerOptions.defaultListen.url())")
    }
}
