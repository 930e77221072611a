import ArgumentParser
import ConnectRPC
import NetclodeClient
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
    /// directory, then the client context `netclode dev` wrote (see ``ClientContext``). The URL and
    /// the token come from the same place unless a flag or variable names one of them: a token
    /// from one server is never sent to another by accident of precedence.
    func connection(settings: EnvironmentSettings = .load()) throws(ClientFailure) -> ClientConnection {
        let explicitServer = Self.nonBlank(self.server) ?? settings["NETCLODE_URL"]
        let explicitToken = Self.nonBlank(self.token) ?? settings["NETCLODE_API_TOKEN"]
        var context: ClientContext?
        if explicitServer == nil || explicitToken == nil {
            context = try ClientContext.load(from: ClientContext.location(settings: settings))
            // A context for another server than the one named explicitly is not used for its token.
            if let explicitServer, let loaded = context, !Self.sameServer(explicitServer, loaded.server) { context = nil }
        }
        let server = explicitServer ?? context?.server ?? Self.defaultServer
        guard let url = URL(string: server), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw .configuration("the server URL must look like http://HOST:PORT, got \"\(server)\" (from --server or NETCLODE_URL)")
        }
        guard let token = explicitToken ?? context?.token else {
            throw .configuration(
                "no API token: run `netclode dev` (it writes a client context this command picks up), or pass --token TOKEN or set NETCLODE_API_TOKEN to the token `netclode serve` was started with"
            )
        }
        return ClientConnection(server: server, token: token)
    }

    private static func sameServer(_ lhs: String, _ rhs: String) -> Bool {
        func normalized(_ text: String) -> String {
            var text = text.lowercased()
            while text.hasSuffix("/") { text.removeLast() }
            return text
        }
        return normalized(lhs) == normalized(rhs)
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
