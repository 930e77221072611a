import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs the real `git http-backend` as a CGI program for one request, streaming in both
/// directions: the request body is piped to its stdin as it arrives and its stdout is forwarded
/// to the client chunk by chunk, so neither side holds a whole pack in memory.
struct GitHTTPBackend: Sendable {
    /// Absolute path of `git-http-backend` (from `git --exec-path`).
    let executable: String
    /// `GIT_PROJECT_ROOT`: `DIR/repos`.
    let projectRoot: String
    let logger: Logger

    /// Finds `git-http-backend` next to the installed git.
    static func locate(projectRoot: String, logger: Logger) async throws -> GitHTTPBackend {
        let execPath = try await GitRunner.execPath()
        let executable = execPath + "/git-http-backend"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ForgeError.io("git-http-backend not found at \(executable) (from `git --exec-path`); install git's http-backend")
        }
        return GitHTTPBackend(executable: executable, projectRoot: projectRoot, logger: logger)
    }

    /// The CGI variables for one request.
    struct CGIRequest: Sendable {
        var method: String
        /// `/OWNER/NAME.git/info/refs` with the on-disk names.
        var pathInfo: String
        var query: String
        var contentType: String?
        var contentLength: String?
        var contentEncoding: String?
        var gitProtocol: String?
        var remoteUser: String
        var remoteAddress: String?
    }

    private enum Output: Sendable {
        case head(CGIResponseHead)
        case body(ByteBuffer)
    }

    func respond(to cgi: CGIRequest, body requestBody: RequestBody) async throws -> Response {
        var environment: [Subprocess.Environment.Key: String] = [
            "GIT_PROJECT_ROOT": projectRoot,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": cgi.method,
            "PATH_INFO": cgi.pathInfo,
            "QUERY_STRING": cgi.query,
            "REMOTE_USER": cgi.remoteUser,
            "REMOTE_ADDR": cgi.remoteAddress ?? "127.0.0.1",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        ]
        if let home = ProcessInfo.processInfo.environment["HOME"] { environment["HOME"] = home }
        if let value = cgi.contentType { environment["CONTENT_TYPE"] = value }
        if let value = cgi.contentLength { environment["CONTENT_LENGTH"] = value }
        if let value = cgi.contentEncoding { environment["HTTP_CONTENT_ENCODING"] = value }
        if let value = cgi.gitProtocol { environment["GIT_PROTOCOL"] = value }

        let channel = BoundedChannel<Output>(capacity: 8)
        let executable = self.executable
        let logger = self.logger
        let task = Task {
            do {
                var platformOptions = PlatformOptions()
                platformOptions.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
                let result = try await Subprocess.run(
                    .path(FilePath(executable)), environment: .custom(environment), platformOptions: platformOptions,
                    input: .inputWriter, output: .sequence, error: .sequence
                ) { execution in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            // Request body → stdin. A backend that stops reading early makes the
                            // write fail; that is not an error of the exchange.
                            do {
                                for try await chunk in requestBody {
                                    _ = try await execution.standardInputWriter.write(Array(chunk.readableBytesView))
                                }
                            } catch {
                                logger.debug("stopped feeding git http-backend", metadata: ["error": "\(error)"])
                            }
                            try? await execution.standardInputWriter.finish()
                        }
                        group.addTask {
                            var diagnostics = ""
                            for try await chunk in execution.standardError {
                                if diagnostics.utf8.count < 4096 {
                                    diagnostics += chunk.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
                                }
                            }
                            if !diagnostics.isEmpty {
                                logger.info("git http-backend", metadata: ["stderr": "\(diagnostics.trimmingCharacters(in: .whitespacesAndNewlines))"])
                            }
                        }
                        group.addTask {
                            var pending: [UInt8] = []
                            var headSent = false
                            for try await chunk in execution.standardOutput {
                                if headSent {
                                    try await channel.send(.body(chunk.withUnsafeBytes { ByteBuffer(bytes: $0) }))
                                    continue
                                }
                                chunk.withUnsafeBytes { pending.append(contentsOf: $0) }
                                if let (head, bodyStart) = CGIResponseHead.parse(pending) {
                                    headSent = true
                                    try await channel.send(.head(head))
                                    if bodyStart < pending.count {
                                        try await channel.send(.body(ByteBuffer(bytes: pending[bodyStart...])))
                                    }
                                    pending = []
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                if case .exited(let code) = result.terminationStatus, code == 0 {
                    channel.finish()
                } else {
                    logger.warning("git http-backend failed", metadata: ["status": "\(result.terminationStatus)", "path": "\(cgi.pathInfo)"])
                    channel.finish()
                }
            } catch {
                channel.finish(throwing: error)
            }
        }

        let first: Output?
        do {
            first = try await channel.next()
        } catch {
            task.cancel()
            throw error
        }
        guard case .head(let head)? = first else {
            task.cancel()
            return APIResponse.text(.internalServerError, "git http-backend produced no response\n")
        }
        let body = ResponseBody { writer in
            do {
                while let output = try await channel.next() {
                    if case .body(let buffer) = output { try await writer.write(buffer) }
                }
                try await writer.finish(nil)
            } catch {
                channel.cancel()
                task.cancel()
                throw error
            }
        }
        return Response(status: head.status, headers: head.headers, body: body)
    }
}
