import Foundation
import NIOCore
import NIOPosix

/// git's half of the credential helper: what `netclode agent credential get|store|erase` does.
///
/// git runs the helper with the operation as its argument and the request (`protocol`, `host`,
/// `path`, ...) on stdin; the helper forwards it to the running agent's ``CredentialServer`` and
/// prints the answer (`username=x-access-token`, `password=<token>`) for git. It holds no state and
/// writes nothing to disk.
public enum CredentialHelperClient {
    /// Environment variable naming the agent's socket.
    public static let socketEnvironmentKey = "NETCLODE_AGENT_SOCKET"
    /// The socket's place under the sandbox's home when `NETCLODE_AGENT_SOCKET` is not set.
    public static let defaultSocketRelativePath = ".netclode/agent.sock"

    /// `NETCLODE_AGENT_SOCKET`, else `$HOME/.netclode/agent.sock`, else nil.
    public static func socketPath(environment: [String: String]) -> String? {
        if let path = environment[socketEnvironmentKey], !path.isEmpty { return path }
        if let home = environment["HOME"], !home.isEmpty {
            return (home as NSString).appendingPathComponent(defaultSocketRelativePath)
        }
        return nil
    }

    /// The whole helper, for the CLI: `arguments` are what follows `netclode agent credential`
    /// (`[--socket PATH] get|store|erase`); reads stdin, writes stdout, reports problems on stderr.
    /// Returns the process exit code.
    ///
    /// Unknown operations are ignored (exit 0), as git's protocol asks. `store` and `erase` never fail.
    public static func main(arguments: [String], environment: [String: String]) async -> Int32 {
        var socket: String?
        var operation: String?
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if argument == "--socket" {
                socket = iterator.next()
            } else if argument.hasPrefix("--socket=") {
                socket = String(argument.dropFirst("--socket=".count))
            } else if operation == nil {
                operation = argument
            }
        }
        guard let operation else {
            writeStandardError("usage: netclode agent credential [--socket PATH] <get|store|erase>\n")
            return 2
        }
        guard let path = socket ?? socketPath(environment: environment) else {
            writeStandardError("netclode agent credential: \(CredentialHelperError.noSocketPath)\n")
            return operation == "get" ? 1 : 0
        }
        do {
            try await run(operation: operation, socketPath: path)
            return 0
        } catch {
            if operation == "get" {
                writeStandardError("netclode agent credential: \(error)\n")
                return 1
            }
            return 0
        }
    }

    /// Reads git's request from `stdin`, asks the agent at `socketPath`, writes the answer to
    /// `stdout`.
    public static func run(operation: String, socketPath: String,
                           stdin: FileHandle = .standardInput, stdout: FileHandle = .standardOutput) async throws {
        // git writes its request and closes the pipe at once: this read is short.
        let input = String(decoding: (try? stdin.readToEnd()) ?? Data(), as: UTF8.self)
        guard ["get", "store", "erase"].contains(operation) else { return }
        let answer = try await request(operation: operation, input: input, socketPath: socketPath)
        if !answer.isEmpty {
            try stdout.write(contentsOf: Data(answer.utf8))
        }
    }

    /// One exchange with the agent: `input` is git's request text, the result the helper's answer
    /// text (empty when the agent has no credential for the request).
    ///
    /// The agent answers from memory in milliseconds; the deadline only keeps git from hanging on
    /// an agent that is gone, so it is generous enough for a machine under heavy load (git itself
    /// would wait for its helper forever).
    public static func request(operation: String, input: String, socketPath: String,
                               timeout: Duration = .seconds(30)) async throws -> String {
        let request = GitCredentialMessage.parse(input)
        let payload = CredentialWire.encodeRequest(operation: operation, request: request)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(5))
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw CredentialHelperError.socket("cannot reach the agent at \(socketPath): \(error)")
        }
        let underlying = channel.channel
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                try await Task.sleep(for: timeout)
                underlying.close(promise: nil)
                throw CredentialHelperError.timedOut(timeout)
            }
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(ByteBuffer(string: payload))
                    var response = ByteBuffer()
                    for try await chunk in inbound {
                        var chunk = chunk
                        response.writeBuffer(&chunk)
                        guard response.readableBytes <= CredentialWire.maximumRequestSize else {
                            throw CredentialHelperError.protocolViolation("answer too large")
                        }
                    }
                    return String(buffer: response)
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw CredentialHelperError.protocolViolation("no answer")
            }
            return answer
        }
    }

    private static func writeStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
