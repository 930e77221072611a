import Foundation
import Testing
import TestSupport

/// docs/api.md's `sh` examples, run in order as one script against a real `netclode dev`, so every
/// documented `curl` call keeps working.
@Suite("docs/api.md examples against netclode dev", .serialized)
struct APIDocsTests {
    @Test("every curl example of docs/api.md works")
    func examples() async throws {
        let script = try Self.script()
        try #require(script.contains("CreateSession") && script.contains("WatchSession"), "docs/api.md lost its examples")
        let dev = try await DevProcess.start()
        do {
            let result = try await Command.run("/bin/sh", ["-c", "set -e\n" + script], environment: ["NETCLODE_CONTEXT": dev.contextFile.path], in: dev.root.url)
            let output = result.stdout + result.stderr
            #expect(result.exitCode == 0, "\(output)")
            for expected in [
                #""name":"api-tour""#,                                                        // CreateSession
                "Repository not found: outsider/secret",                                     // the refused create
                #""status":"ready""#,                                                        // GetSession
                #""kind":"repo_clone""#, #""type":"session.updated""#,                       // WatchSession
                "Add tests and usage",                                                       // Exec
                #""applied":true"#,                                                          // UpdateRepoAccess
                #""pushPolicy":{"branches":["netclode/*"],"allowForcePush":false,"allowDelete":true}"#, // UpdatePushPolicy
                #"/other-org/tools.git"],"#,                                                  // UpdateRepos
                #""status":"paused""#,                                                       // PauseSession
                #""status":"deleted""#,                                                      // DeleteSession
                #""fullName":"other-org/tools""#,                                            // ListRepos
                #""database":"ok""#, #""status":"ready"}"#,                                    // /readyz
                #"netclode_api_requests_total{rpc="netclode.v1.SessionService/CreateSession",code="ok"} 1"#, // /metrics
            ] {
                #expect(output.contains(expected), "\(expected) missing from the examples' output:\n\(output)")
            }
            #expect(result.stdout.split(separator: "\n").contains("ok"), "GET /healthz")
            #expect(!output.contains("ghs_"), "an installation token reached an API answer")
        } catch {
            await dev.remove()
            throw error
        }
        await dev.remove()
    }

    /// The `sh` blocks of docs/api.md, in order.
    static func script() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/api.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```sh" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks.joined(separator: "\n")
    }
}
