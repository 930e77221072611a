import ConnectRPC
import Hummingbird
import NetclodeProto
import SwiftProtobuf

/// `netclode.v1.GitHubService`: what the GitHub App can reach. Same API-token authentication as
/// `SessionService`.
enum GitHubServiceRoutes {
    static let service = "netclode.v1.GitHubService"

    static func register<Context: RequestContext>(on router: Router<Context>, listing: RepositoryListing, authenticator: APIAuthenticator, options: ConnectServerOptions = .init()) {
        let options = authenticator.guarding(options)
        router.connectUnary("\(service)/ListRepos", Netclode_V1_ListReposRequest.self, Netclode_V1_ListReposResponse.self, options: options) { _, _ in
            let repositories = try await connectCall { () async throws(ControlPlaneError) in try await listing.repositories() }
            return .with { $0.repositories = repositories }
        }
    }
}
