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

    @Flag(name: .long, help: "Print a JSON object instead of text.")
    var json = false

    func run() async throws {
        let options = ForgeInitOptions(
            dataDirectory: URL(fileURLWithPath: data), appID: appID, owners: owners, repositories: repos,
            imports: imports, uninstalledRepositories: uninstalledRepos)
        let result: ForgeInitResult
        do {
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
