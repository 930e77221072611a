import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// An independent Connect client, `buf curl` (PyPI `buf-bin`; .ci/run installs it), against a live
/// control plane with the project's own .proto files: binary protobuf on the wire.
@Suite("buf curl against netclode serve", .serialized)
struct BufCurlTests {
    static let protoDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("proto").path

    static var buf: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/buf" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func bufCurl(_ fixture: SessionsFixture, _ method: String, _ json: String) async throws -> ProcessResult {
        let buf = try #require(Self.buf)
        return try await Command.run(buf, [
            "curl", "--schema", Self.protoDirectory, "--protocol", "connect", "--http2-prior-knowledge=false",
            "-H", "Authorization: Bearer \(ControlPlaneProcess.apiToken)", "-d", json,
            "\(fixture.controlPlane.baseURL.absoluteString)/netclode.v1.SessionService/\(method)",
        ])
    }

    @Test func createAndWatchWithBufCurl() async throws {
        guard Self.buf != nil else {
            // CI installs buf; a developer machine without it skips rather than fails.
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "buf is not on PATH in CI")
            return
        }
        let fixture = try await SessionsFixture.start()
        let created = try await bufCurl(fixture, "CreateSession", #"{"type": "session.create", "name": "buf", "repos": ["demo/hello"], "repoAccess": "write"}"#)
        #expect(created.exitCode == 0, "\(created.stderr)")
        let session = try Netclode_V1_CreateSessionResponse(jsonString: created.stdout).session
        #expect(session.name == "buf")
        #expect(session.repoAccess == "write")
        try await fixture.waitFor(session.id, status: "ready")
        _ = try await fixture.call("DeleteSession", Netclode_V1_DeleteSessionRequest.with { $0.sessionID = session.id }, as: Netclode_V1_DeleteSessionResponse.self)

        // A deleted session's stream is its history, then its final state, then the end.
        let watched = try await bufCurl(fixture, "WatchSession", #"{"sessionId": "\#(session.id)"}"#)
        #expect(watched.exitCode == 0, "\(watched.stderr)")
        #expect(watched.stdout.contains("\"type\": \"agent.event\""), "\(watched.stdout)")
        #expect(watched.stdout.contains("\"stage\": \"done\""))
        #expect(watched.stdout.contains("\"type\": \"session.updated\""))
        #expect(watched.stdout.contains("\"status\": \"deleted\""))

        let refused = try await bufCurl(fixture, "CreateSession", #"{"repos": ["outsider/secret"]}"#)
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("not_found") && refused.stderr.contains("Repository not found: outsider/secret"), "\(refused.stderr)")
        await fixture.finish()
    }
}
