import ConnectRPC
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Synchronization
import TestSupport
import Testing

/// An independent Connect client, Connect for Python (PyPI `connectrpc`, on pyqwest), against our
/// server: unary JSON and proto, a server stream, gzip both ways, Connect GET, errors and h2c.
///
/// Enabled when `NETCLODE_PYTHON` names a Python with `connectrpc` installed and `buf`,
/// `protoc-gen-py` and `protoc-gen-connectrpc` beside it (its virtualenv's bin directory):
/// `.ci/run` sets that up from Tests/PythonClient/requirements.txt. The Python code for the Echo
/// service is generated into a temporary directory for each case; nothing generated is committed.
/// The cases run one after another: each starts buf and a Python process, and the suite shares
/// 2 cores with every other test.
@Suite("Connect for Python interoperability", .serialized,
       .enabled(if: PythonClient.python != nil, "NETCLODE_PYTHON is not set (see .ci/run)"))
struct PythonClientTests {
    @Test func unaryJSON() async throws {
        let requests = try await PythonClient.check("unary-json")
        #expect(requests == [.init(method: "POST", path: EchoService.echo, contentType: "application/json")])
    }

    @Test func unaryProto() async throws {
        let requests = try await PythonClient.check("unary-proto")
        #expect(requests == [.init(method: "POST", path: EchoService.echo, contentType: "application/proto")])
    }

    @Test func serverStream() async throws {
        let requests = try await PythonClient.check("server-stream")
        #expect(requests == [.init(method: "POST", path: EchoService.count, contentType: "application/connect+proto")])
    }

    /// Python's client sends gzip (which the server inflates) and asks for gzip; the script checks
    /// the gzipped response with Python's own `gzip` module.
    @Test func gzipUnaryBothWays() async throws {
        let requests = try await PythonClient.check("gzip-unary")
        #expect(requests.first == .init(method: "POST", path: EchoService.echo, contentType: "application/proto",
                                        contentEncoding: "gzip", acceptEncoding: "gzip"))
        #expect(requests.count == 2)
    }

    @Test func gzipStreamBothWays() async throws {
        let requests = try await PythonClient.check("gzip-stream")
        #expect(requests == [.init(method: "POST", path: EchoService.count, contentType: "application/connect+proto",
                                   connectContentEncoding: "gzip", connectAcceptEncoding: "gzip")])
    }

    /// The generated client's `use_get=True` really sends GET (with base64=1&compression=gzip).
    @Test func connectGET() async throws {
        let requests = try await PythonClient.check("connect-get")
        #expect(requests.map(\.method) == ["GET", "GET"])
        #expect(requests.first?.query?.contains("compression=gzip") == true, "\(requests)")
        #expect(requests.first?.query?.contains("base64=1") == true, "\(requests)")
    }

    @Test func errorsKeepTheirCodeAndMessage() async throws {
        _ = try await PythonClient.check("errors")
    }

    /// pyqwest with `HTTPVersion.HTTP2` speaks HTTP/2 with prior knowledge: the same client also
    /// works against an HTTP/2-only server, which an HTTP/1.1 client could not talk to.
    @Test func h2cWithPriorKnowledge() async throws {
        let requests = try await PythonClient.check("h2c")
        #expect(requests.map(\.path) == [EchoService.echo, EchoService.count])
        let http2Only = try await PythonClient.check("h2c-unary", server: .plaintextHTTP2())
        #expect(http2Only.map(\.path) == [EchoService.echo])
    }
}

enum PythonClient {
    static var python: String? { ConnectForPython.python }

    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("PythonClient")

    /// What the server saw of one request.
    struct SeenRequest: Sendable, Equatable, CustomStringConvertible {
        var method: String
        var path: String
        var contentType: String?
        var contentEncoding: String?
        var acceptEncoding: String?
        var connectContentEncoding: String?
        var connectAcceptEncoding: String?
        var query: String?

        init(method: String, path: String, contentType: String?, contentEncoding: String? = nil,
             acceptEncoding: String? = nil, connectContentEncoding: String? = nil,
             connectAcceptEncoding: String? = nil, query: String? = nil) {
            self.method = method
            self.path = path
            self.contentType = contentType
            self.contentEncoding = contentEncoding
            self.acceptEncoding = acceptEncoding
            self.connectContentEncoding = connectContentEncoding
            self.connectAcceptEncoding = connectAcceptEncoding
            self.query = query
        }

        var description: String {
            "\(method) \(path)?\(query ?? "") type=\(contentType ?? "-") ce=\(contentEncoding ?? "-") ae=\(acceptEncoding ?? "-") "
                + "cce=\(connectContentEncoding ?? "-") cae=\(connectAcceptEncoding ?? "-")"
        }
    }

    /// Records the requests that reach the Connect routes (query and headers included).
    struct Recorder<Context: RequestContext>: RouterMiddleware {
        final class Log: Sendable {
            let requests = Mutex<[SeenRequest]>([])
        }
        let log = Log()

        func handle(_ request: Request, context: Context,
                    next: (Request, Context) async throws -> Response) async throws -> Response {
            let path = String(request.uri.path.dropFirst())
            // Only the GET check looks at queries: drop it elsewhere so the comparisons stay simple.
            let query = request.method == .get ? request.uri.query : nil
            let isStream = request.headers[.contentType]?.hasPrefix("application/connect+") == true
            // "identity" and connectrpc's accept list ("gzip,identity"), normalised to what matters.
            func accepted(_ value: String?) -> String? {
                value.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { $0 != "identity" }.joined(separator: ", ") }.flatMap { $0.isEmpty ? nil : $0 }
            }
            log.requests.withLock {
                $0.append(SeenRequest(
                    method: request.method.rawValue, path: path, contentType: request.headers[.contentType],
                    contentEncoding: request.headers[.contentEncoding].flatMap { $0 == "identity" ? nil : $0 },
                    // On a stream, Accept-Encoding is the HTTP library's own (pyqwest's zstd, gzip,
                    // br for the whole body); Connect-Accept-Encoding is what Connect negotiates.
                    acceptEncoding: isStream ? nil : accepted(request.headers[.acceptEncoding]),
                    connectContentEncoding: request.headers[.connectContentEncoding].flatMap { $0 == "identity" ? nil : $0 },
                    connectAcceptEncoding: accepted(request.headers[.connectAcceptEncoding]),
                    query: query))
            }
            return try await next(request, context)
        }
    }

    /// Runs `connect_check.py <case>` against a fresh server (by default HTTP/1.1 and h2c on one
    /// port) and returns the requests the server saw.
    static func check(_ testCase: String, server: HTTPServerBuilder = .http1AndH2C()) async throws -> [SeenRequest] {
        let python = try #require(python)
        let bin = URL(fileURLWithPath: python).deletingLastPathComponent()
        let environment = ["PATH": "\(bin.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"]
        return try await TemporaryDirectory.with(prefix: "netclode-python") { directory in
            let generate = try await Command.run(
                bin.appendingPathComponent("buf").path,
                ["generate", BufCurl.schemaDirectory.path, "--template", assets.appendingPathComponent("buf.gen.yaml").path,
                 "-o", directory.path],
                environment: environment)
            try #require(generate.succeeded, "buf generate failed: \(generate.stderr)")

            let recorder = Recorder<BasicRequestContext>()
            return try await TestServer.with(server: server, { router in
                router.add(middleware: recorder)
                EchoService.register(on: router)
            }) { server in
                let run = try await Command.run(
                    python,
                    [assets.appendingPathComponent("connect_check.py").path, directory.path, server.baseURL, testCase],
                    environment: environment)
                #expect(run.succeeded, "connect_check.py \(testCase) failed:\n\(run.stdout)\n\(run.stderr)")
                #expect(run.stdout.split(separator: "\n").last == "ok \(testCase)", "\(run.stdout)")
                return recorder.log.requests.withLock { $0 }
            }
        }
    }
}
