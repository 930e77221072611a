import Foundation
import Logging
import NIOCore
import NIOPosix

/// The agent's half of the credential helper: a Unix domain socket that answers git
/// credential-helper requests from the ``CredentialStore``.
///
/// git runs `netclode agent credential get` (``CredentialHelperClient``), which forwards git's
/// request here; the answer carries the token the store holds at that moment, so a refreshed or
/// replaced token is used by git's very next operation. The socket's directory is created `0700`
/// and the socket is `0600`: only the sandbox user can ask.
public final class CredentialServer: Sendable {
    public let socketPath: String
    private let serverChannel: any Channel
    private let acceptTask: Task<Void, Never>
    private let logger: Logger

    private init(socketPath: String, serverChannel: any Channel, acceptTask: Task<Void, Never>, logger: Logger) {
        self.socketPath = socketPath
        self.serverChannel = serverChannel
        self.acceptTask = acceptTask
        self.logger = logger
    }

    /// Binds `socketPath` (replacing a stale socket file left by an earlier agent) and starts
    /// answering. Missing parent directories are created with mode `0700`.
    ///
    /// `requestTimeout` drops a client that never finishes its request; it matches the helper's
    /// own deadline, so a loaded machine that is slow to schedule the exchange is not mistaken
    /// for a silent client (which would get an empty answer, i.e. no credentials).
    public static func start(
        socketPath: String,
        store: CredentialStore,
        logger: Logger = Logger(label: "netclode.agent.credentials"),
        requestTimeout: Duration = .seconds(30),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> CredentialServer {
        let directory = (socketPath as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let server = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 64)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard chmod(socketPath, 0o600) == 0 else {
            let code = errno
            try? await server.channel.close()
            throw CredentialHelperError.socket("cannot restrict \(socketPath) to its owner: \(String(cString: strerror(code)))")
        }
        let channel = server.channel
        let acceptTask = Task {
            await withDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            group.addTask {
                                await serve(connection, store: store, logger: logger, timeout: requestTimeout)
                            }
                        }
                    }
                } catch {
                    logger.debug("credential socket closed", metadata: ["error": "\(error)"])
                }
            }
        }
        logger.debug("credential helper socket listening", metadata: ["path": "\(socketPath)"])
        return CredentialServer(socketPath: socketPath, serverChannel: channel, acceptTask: acceptTask, logger: logger)
    }

    /// Stops accepting, waits for requests in flight and removes the socket file.
    public func stop() async {
        try? await serverChannel.close()
        await acceptTask.value
        if let attributes = try? FileManager.default.attributesOfItem(atPath: socketPath),
           attributes[.type] as? FileAttributeType == .typeSocket {
            try? FileManager.default.removeItem(atPath: socketPath)
        }
    }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, store: CredentialStore,
                              logger: Logger, timeout: Duration) async {
        let channel = connection.channel
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Task.sleep(for: timeout)
                    channel.close(promise: nil)
                }
                group.addTask {
                    try await connection.executeThenClose { inbound, outbound in
                        var received = ByteBuffer()
                        for try await chunk in inbound {
                            var chunk = chunk
                            received.writeBuffer(&chunk)
                            guard received.readableBytes <= CredentialWire.maximumRequestSize else {
                                throw CredentialHelperError.protocolViolation("request larger than \(CredentialWire.maximumRequestSize) bytes")
                            }
                            if CredentialWire.isComplete(Substring(String(buffer: received))) { break }
                        }
                        guard let (operation, request) = CredentialWire.decodeRequest(String(buffer: received)) else {
                            throw CredentialHelperError.protocolViolation("request without an operation")
                        }
                        let answer = await store.answer(operation: operation, request: request)
                        logger.debug("credential request", metadata: [
                            "operation": "\(operation)",
                            "host": "\(request["host"] ?? "")",
                            "path": "\(request["path"] ?? "")",
                            "answered": "\(!answer.isEmpty)",
                        ])
                        if !answer.isEmpty {
                            try await outbound.write(ByteBuffer(string: answer.encoded))
                        }
                    }
                }
                // Whichever finishes first: the exchange (normally) or the timeout.
                try await group.next()
                group.cancelAll()
            }
        } catch {
            logger.debug("credential request failed", metadata: ["error": "\(error)"])
            channel.close(promise: nil)
        }
    }
}
