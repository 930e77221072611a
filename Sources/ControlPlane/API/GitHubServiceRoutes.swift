import ConnectRPC
import Hummingbird
import NetclodeProto
import SwiftProtobuf

/// `netclode.v1.GitHubService`: what the GitHub App can reach. Same API-token authentication as
/// `SessionService`.
enum GitHubServiceRoutes {
    static let service = "netclode.v1.GitHubService"

    static func register<Context: RequestContext>(on router: Router<Context>, listing: RepositoryListing, authenticator: APIAuthenticator, options: ConnectServerOptions = .init()) {
        router.connectUnary("\(service)/ListRepos", Netclode_V1_ListReposRequest.self, Netclode_V1_ListReposResponse.self, options: options) { _, call in
            try authenticator.check(call)
            let repositories = try await connectCall { () async throws(ControlPlaneError) in try await listing.repositories() }
            return .with { $0.repositories = repositories }
        }
    }
}
