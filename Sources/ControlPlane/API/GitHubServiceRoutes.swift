import ConnectRPC
import Hummingbird
import NetclodeProto
import SwiftProtobuf

/// `netclode.v1.GitHubService`: what the GitHub App can reach. Mounted in the same API-token
/// guarded group as `SessionService`.
enum GitHubServiceRoutes {
    static let service = "netclode.v1.GitHubService"

    static func register(on router: some RouterMethods, listing: RepositoryListing, options: ConnectServerOptions = .init()) {
        router.connectUnary("\(service)/ListRepos", Netclode_V1_ListReposRequest.self, Netclode_V1_ListReposResponse.self, idempotency: .noSideEffects, options: options) { _, _ in
            let repositories = try await connectCall { () async throws(ControlPlaneError) in try await listing.repositories() }
            return .with { $0.repositories = repositories }
        }
    }
}
