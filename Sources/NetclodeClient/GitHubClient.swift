import ConnectRPC
import NetclodeProto
import SwiftProtobuf

/// Typed calls of `netclode.v1.GitHubService` over a ``ConnectClient``.
public struct GitHubClient: Sendable {
    public static let service = "netclode.v1.GitHubService"

    public let connect: ConnectClient

    public init(connect: ConnectClient) {
        self.connect = connect
    }

    /// Every repository the GitHub App's installations reach.
    public func listRepos() async throws -> Netclode_V1_ListReposResponse {
        try await connect.unary("\(Self.service)/ListRepos", Netclode_V1_ListReposRequest(),
                                as: Netclode_V1_ListReposResponse.self, timeout: SessionClient.unaryTimeout)
    }
}
