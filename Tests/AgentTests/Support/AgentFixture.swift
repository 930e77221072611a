import Agent
import Foundation
import Synchronization
import GitHubApp
import Logging
import Testing
import TestSupport

/// A running forge, a broker minting real tokens against it, and the agent's side of git: a
/// workspace, a sandbox home whose `.gitconfig` names the credential helper (the real
/// `netclode agent credential`), a ``CredentialStore`` and its ``CredentialServer``.
struct AgentFixture {
    let forge: ForgeProcess
    let configuration: GitHubAppConfiguration
    let broker: TokenBroker
    let logs: LogCapture
    let root: TemporaryDirectory
    let store: CredentialStore
    let server: CredentialServer
    let helper: CredentialHelperConfiguration
    /// Every token the fixture leased, so ``finish()`` can check that none reached the logs.
    let leased = TokenLedger()

    var workspace: URL { root.url.appendingPathComponent("workspace", isDirectory: true) }
    var home: URL { root.url.appendingPathComponent("home", isDirectory: true) }
    var host: String { RepoCredential.host(ofURL: forge.baseURL.absoluteString)! }

    /// What every git run of the sandbox sees: the sandbox home and its `.gitconfig` only.
    var gitEnvironment: [String: String] {
        [
            "HOME": home.path,
            "GIT_CONFIG_GLOBAL": home.appendingPathComponent(".gitconfig").path,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Netclode Test",
            "GIT_AUTHOR_EMAIL": "test@netclode.invalid",
            "GIT_COMMITTER_NAME": "Netclode Test",
            "GIT_COMMITTER_EMAIL": "test@netclode.invalid",
        ]
    }

    static func start(repos: [String], uninstalledRepos: [String] = [], imports: [String] = []) async throws -> AgentFixture {
        let forge = try await ForgeProcess.start(repos: repos, imports: imports, uninstalledRepos: uninstalledRepos)
        do {
            let configuration = try GitHubAppConfiguration(settings: EnvironmentSettings([
                "GITHUB_APP_ID": "\(forge.appID)",
                "GITHUB_APP_PRIVATE_KEY_PATH": forge.privateKeyPath,
                "GITHUB_API_URL": forge.baseURL.absoluteString,
                "GITHUB_WEB_URL": forge.baseURL.absoluteString,
            ]))
            let logs = LogCapture()
            let broker = TokenBroker(configuration: configuration, logger: logs.logger(label: "broker"))
            let root = try TemporaryDirectory(prefix: "netclode-agent")
            let home = root.url.appendingPathComponent("home", isDirectory: true)
            try FileManager.default.createDirectory(at: root.url.appendingPathComponent("workspace"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let socketPath = home.appendingPathComponent(".netclode/agent.sock").path
            let store = CredentialStore()
            let server = try await CredentialServer.start(socketPath: socketPath, store: store, logger: logs.logger(label: "credentials"))
            let helper = CredentialHelperConfiguration(executable: try ForgeProcess.netclodeBinary().path, socketPath: socketPath)
            try await helper.install(intoConfigFile: home.appendingPathComponent(".gitconfig").path)
            return AgentFixture(forge: forge, configuration: configuration, broker: broker, logs: logs, root: root,
                                store: store, server: server, helper: helper)
        } catch {
            await forge.stop()
            throw error
        }
    }

    func reference(_ fullName: String) throws -> RepositoryReference {
        try RepositoryReference.parse(fullName, webURL: forge.baseURL)
    }

    /// Mints tokens for `repos` in `session` (replacing and revoking the session's earlier ones).
    func lease(_ repos: [String], access: RepoAccess, session: String = "s1") async throws -> [InstallationToken] {
        let tokens = try await broker.lease(session: session, repositories: repos.map(reference), access: access)
        leased.record(tokens)
        return tokens
    }

    /// What the control plane would send the agent for `tokens`.
    func credentials(_ tokens: [InstallationToken]) -> [RepoCredential] {
        tokens.map { token in
            RepoCredential(host: host, owner: token.owner, repositories: token.repositories.map(\.name),
                           token: token.secret, expiresAt: token.expiresAt)
        }
    }

    /// Leases tokens and hands them to the credential store.
    @discardableResult
    func grant(_ repos: [String], access: RepoAccess, session: String = "s1") async throws -> [InstallationToken] {
        let tokens = try await lease(repos, access: access, session: session)
        await store.update(credentials(tokens))
        return tokens
    }

    func target(_ fullName: String, directory: String) -> CloneTarget {
        let parts = fullName.split(separator: "/").map(String.init)
        return CloneTarget(url: forge.cloneURL(fullName).absoluteString, owner: parts[0], name: parts[1], directory: directory)
    }

    func cloner(_ options: RepositoryCloner.Options = .init()) -> RepositoryCloner {
        let store = store
        return RepositoryCloner(workspace: workspace, credentials: helper, environment: gitEnvironment, options: options,
                                knownSecrets: { await store.secrets }, logger: logs.logger(label: "clone"))
    }

    /// git as the sandbox runs it: the helper comes from the home's `.gitconfig`.
    func git(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) async throws -> ProcessResult {
        try await Git.run(arguments, in: directory, environment: gitEnvironment.merging(environment) { $1 })
    }

    /// Every regular file below `directory` whose bytes contain `secret`.
    static func files(containing secret: String, under directory: URL) -> [String] {
        let needle = Data(secret.utf8)
        var found: [String] = []
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return found
        }
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = try? Data(contentsOf: url) else { continue }
            if data.range(of: needle) != nil { found.append(url.path) }
        }
        return found
    }

    /// Starts a fixture, runs `body`, and always finishes it (checks and cleanup), even when the
    /// body throws.
    static func with(repos: [String], uninstalledRepos: [String] = [], imports: [String] = [], _ body: (AgentFixture) async throws -> Void) async throws {
        let fixture = try await start(repos: repos, uninstalledRepos: uninstalledRepos, imports: imports)
        do {
            try await body(fixture)
        } catch {
            await fixture.finish()
            throw error
        }
        await fixture.finish()
    }

    /// Checks that no leased token reached the logs, then stops everything and removes the files.
    func finish() async {
        let text = logs.text
        for token in leased.tokens {
            #expect(!text.contains(token.secret), "a token reached the logs")
        }
        await server.stop()
        await broker.shutdown()
        await forge.stop()
        root.remove()
    }
}

/// The tokens a fixture handed out.
final class TokenLedger: Sendable {
    private let state = Mutex<[InstallationToken]>([])

    func record(_ tokens: [InstallationToken]) { state.withLock { $0 += tokens } }

    var tokens: [InstallationToken] { state.withLock { $0 } }
}

/// Collects clone events from concurrent clones.
actor EventRecorder {
    private(set) var events: [CloneEvent] = []

    func record(_ event: CloneEvent) { events.append(event) }

    func events(for fullName: String) -> [CloneEvent] {
        events.filter { $0.target.fullName == fullName }
    }

    nonisolated var handler: RepositoryCloner.EventHandler {
        { event in await self.record(event) }
    }
}
