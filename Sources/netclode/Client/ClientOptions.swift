import ArgumentParser
import ConnectRPC
import Foundation
import GitHubApp

/// The options every client command shares: where the control plane is, the API token, and
/// whether to print JSON lines instead of human output.
struct ClientOptions: ParsableArguments {
    static let defaultServer = "http://127.0.0.1:8080"

    @Option(help: ArgumentHelp("Control plane URL (NETCLODE_URL; default \(ClientOptions.defaultServer)).", valueName: "url"))
    var server: String?

    @Option(help: ArgumentHelp("API token the server was started with (NETCLODE_API_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(help: "Print one JSON object per line (the proto3 JSON of each response or watch item).")
    var json = false

    /// The server URL and token from the flags, then the environment, then `.env` in the working
    /// directory.
    func connection(settings: EnvironmentSettings = .load()) throws(ClientFailure) -> ClientConnection {
        let server = Self.nonBlank(self.server) ?? settings["NETCLODE_URL"] ?? Self.defaultServer
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw .configuration("the server URL must look like http://HOST:PORT, got \"\(server)\" (from --server or NETCLODE_URL)")
        }
        guard let token = Self.nonBlank(self.token) ?? settings["NETCLODE_API_TOKEN"] else {
            throw .configuration(
                "no API token: pass --token TOKEN or set NETCLODE_API_TOKEN (in the environment or a .env file in the working directory) to the token `netclode serve` was started with"
            )
        }
        return ClientConnection(server: server, token: token)
    }

    private static func nonBlank(_ value: String?) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return value
    }
}

/// A resolved server URL and API token.
struct ClientConnection: Sendable {
    var server: String
    var token: String

    /// A Connect client (JSON codec) that sends the token with every call.
    func sessionClient() -> SessionClient {
        SessionClient(connect: ConnectClient(baseURL: server, codec: .json, headers: [("Authorization", "Bearer \(token)")]))
    }
}
