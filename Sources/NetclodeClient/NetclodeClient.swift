import AsyncHTTPClient
import ConnectRPC
import Foundation

/// A client of one control plane's API: the session and GitHub services, every call carrying the
/// API token.
///
/// The CLI, the end-to-end tests and `netclode-bench` all talk to the server through this module,
/// so a change to the wire calls is made once. It depends on the proto types and the Connect
/// client only: it knows nothing of the server.
public struct NetclodeClient: Sendable {
    public let sessions: SessionClient
    public let github: GitHubClient

    /// - Parameters:
    ///   - baseURL: the control plane, e.g. `http://127.0.0.1:8080`.
    ///   - token: the API token (`NETCLODE_API_TOKEN`).
    ///   - codec: JSON (the default, readable in a packet capture) or protobuf.
    ///   - httpClient: the HTTP client to share, e.g. one with a wider connection pool for many
    ///     concurrent streams.
    public init(baseURL: String, token: String, codec: ConnectCodec = .json, httpClient: HTTPClient = ConnectClient.defaultHTTPClient) {
        let connect = ConnectClient(baseURL: baseURL, httpClient: httpClient, codec: codec, headers: [("Authorization", "Bearer \(token)")])
        sessions = SessionClient(connect: connect)
        github = GitHubClient(connect: connect)
    }
}
