import ConnectRPC
import Foundation
import SwiftProtobuf
import Testing

/// An independent Connect client, `buf curl` (PyPI `buf-bin`), against our server over HTTP/1.1.
/// Skipped when `buf` is not on PATH.
@Suite("buf curl interoperability", .enabled(if: BufCurl.executable != nil, "buf is not on PATH (pip install buf-bin)"))
struct BufCurlTests {
    @Test func unaryCall() async throws {
        try await TestServer.with(EchoService.register) { server in
            let result = try await BufCurl.run([
                "--data", #"{"text":"hello","repeat_count":2}"#,
                "\(server.baseURL)/\(EchoService.echo)",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let reply = try Echo_V1_EchoResponse(jsonString: result.stdout)
            #expect(reply.text == "hello hello")
            #expect(reply.textLength == 11)
        }
    }

    @Test func serverStreamingCall() async throws {
        try await TestServer.with(EchoService.register) { server in
            let result = try await BufCurl.run([
                "--data", #"{"count":3,"label":"b"}"#,
                "\(server.baseURL)/\(EchoService.count)",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            // buf curl prints each message as an indented JSON object.
            let numbers = result.stdout.split(separator: "\n").filter { $0.contains("\"number\"") }
                .map { $0.filter(\.isNumber) }
            #expect(numbers == ["1", "2", "3"], "\(result.stdout)")
        }
    }

    @Test func errorsAreReportedWithTheirCode() async throws {
        try await TestServer.with({ router in
            EchoService.register(on: router)
        }) { server in
            let result = try await BufCurl.run([
                "--data", #"{"count":-1}"#,
                "\(server.baseURL)/\(EchoService.count)",
            ])
            #expect(result.status != 0)
            #expect(result.stderr.contains("invalid_argument"), "\(result.stderr)")
            #expect(result.stderr.contains("count must not be negative"), "\(result.stderr)")
        }
    }
}

enum BufCurl {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("buf")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// The test proto directory, the schema `buf curl` compiles.
    static let schemaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Proto")

    /// `buf curl --schema Proto --protocol connect --http2-prior-knowledge=<http2> <arguments>`:
    /// HTTP/1.1 by default, cleartext HTTP/2 (h2c with prior knowledge) when `http2` is set. The
    /// 120 s timeout only guards against a hang: buf compiles the schema on every run, which took
    /// over 20 s with the whole test suite running on 2 cores.
    static func run(_ arguments: [String], http2: Bool = false) async throws -> Result {
        guard let executable else { throw CocoaError(.fileNoSuchFile) }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["curl", "--schema", schemaDirectory.path, "--protocol", "connect",
                             "--http2-prior-knowledge=\(http2)", "--timeout", "120s"] + arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Result(status: status,
                      stdout: String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                      stderr: String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
