import SwiftProtobuf
import Logging
import Foundation
import GitHubApp
import NetclodeProto

/// A validated `CreateSession` request: every rule of DESIGN.md §1 checked before anything is
/// made, so a rejected request leaves no session, no sandbox and no token behind.
struct CreateSessionInput: Sendable {
    static let maximumNameLength = 100

    let name: String
    let repositories: [RepositoryReference]
    /// nil when the session has no repositories: the level is then meaningless and not stored.
    let access: RepoAccess?
    let blobless: Bool
    /// The session's own agent command, one the operator allows; nil: the server's.
    let agentCommand: AgentCommandTemplate?
    /// A person to attribute the session's commits to; nil: the App's bot account.
    let gitAuthor: GitAuthor?
    let credentialMode: CredentialMode
    let pushPolicy: PushPolicy

    init(_ request: Netclode_V1_CreateSessionRequest, webURL: URL, runs: RunSettings, credentialMode defaultMode: CredentialMode) throws(ControlPlaneError) {
        if !request.type.isEmpty && request.type != "session.create" {
            throw .invalidArgument("type must be \"session.create\" (or omitted), got \"\(request.type)\"")
        }
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= Self.maximumNameLength else {
            throw .invalidArgument("name is longer than \(Self.maximumNameLength) characters")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidArgument("name contains control characters")
        }
        self.name = name
        repositories = try RepositorySelection.parse(request.repos, field: "repos", webURL: webURL)
        if request.repoAccess.isEmpty {
            access = repositories.isEmpty ? nil : .default
        } else if let parsed = RepoAccess(rawValue: request.repoAccess) {
            access = repositories.isEmpty ? nil : parsed
        } else {
            throw .invalidArgument("repoAccess must be \"read\" or \"write\", got \"\(request.repoAccess)\"")
        }
        blobless = request.blobless
        if request.agentCommand.isEmpty {
            agentCommand = nil
        } else {
            let command = try AgentCommandTemplate(request.agentCommand, source: "agentCommand")
            guard runs.allows(command) else {
                let allowed = ([runs.agentCommand].compactMap { $0 } + runs.allowedCommands).map(\.description)
                throw .invalidArgument("agentCommand \(command) is not allowed on this server; "
                    + (allowed.isEmpty ? "it allows none (NETCLODE_AGENT_COMMANDS_ALLOWED is empty)" : "allowed: \(allowed.joined(separator: ", "))"))
            }
            agentCommand = command
        }
        if request.gitAuthor.isEmpty {
            gitAuthor = nil
        } else {
            guard let author = GitAuthor(parsing: request.gitAuthor) else {
                throw .invalidArgument("gitAuthor must be \"Name <email>\", e.g. \"Ada Lovelace <ada@example.com>\"; got \"\(request.gitAuthor)\"")
            }
            gitAuthor = author
        }
        credentialMode = try CredentialMode(request.credentialMode, source: "credentialMode", fallback: defaultMode)
        pushPolicy = try PushPolicy(wire: request.hasPushPolicy ? request.pushPolicy : nil, field: "pushPolicy")
        if credentialMode == .token && request.hasPushPolicy {
            throw .invalidArgument("pushPolicy needs credentialMode \"proxy\": in token mode git talks to GitHub directly, so no push policy can be applied")
        }
    }
}

