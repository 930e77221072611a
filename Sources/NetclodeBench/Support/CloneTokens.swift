import AsyncHTTPClient
import Foundation
import GitHubApp
import Logging
import TestSupport

/// Read tokens for the baseline `git clone`s, minted from the forge exactly as the control plane
/// mints them (App JWT, one token per installation, named repositories, `contents: read`).
///
/// They stay in memory and reach git only through its environment (see ``Git/tokenFromEnvironment``).
struct CloneTokens: Sendable {
    private let tokens: [String: InstallationToken]
    private let client: GitHubAPIClient

    static func mint(from forge: ForgeProcess) async throws -> CloneTokens {
        let key = try AppPrivateKey(contentsOfFile: forge.privateKeyPath)
        let endpoints = GitHubEndpoints(apiURL: forge.baseURL, webURL: forge.baseURL)
        let configuration = GitHubAppConfiguration(appID: String(forge.appID), privateKey: key, endpoints: endpoints)
        var logger = Logger(label: "netclode.bench")
        logger.logLevel = .warning
        let client = GitHubAPIClient(configuration: configuration, httpClient: BenchHTTP.client, logger: logger)
        var tokens: [String: InstallationToken] = [:]
        for (owner, id) in forge.installationIDs {
            let repos = try (forge.installationRepos[id] ?? []).map { try RepositoryReference.parse($0, webURL: forge.baseURL) }
            guard !repos.isEmpty else { continue }
            tokens[owner.lowercased()] = try await client.createInstallationToken(installationID: id, owner: owner, repositories: repos, access: .read)
        }
        return CloneTokens(tokens: tokens, client: client)
    }

    /// The environment that lets ``Git/tokenFromEnvironment`` answer for `owner`'s repositories.
    func environment(forOwner owner: String) throws -> [String: String] {
        guard let token = tokens[owner.lowercased()] else { throw BenchError("no clone token for \(owner)") }
        return ["NETCLODE_BENCH_GIT_TOKEN": token.secret]
    }

    /// Revokes every token (they would expire anyway; this keeps the forge's books tidy).
    func revokeAll() async {
        for token in tokens.values { try? await client.revoke(token) }
    }
}
