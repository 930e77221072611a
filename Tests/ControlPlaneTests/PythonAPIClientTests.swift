import Foundation
import Testing
import TestSupport

/// A second independent Connect client (besides `buf curl`), Connect for Python (PyPI
/// `connectrpc`), against a live `netclode serve` with the forge: code generated from
/// `proto/netclode/v1` at test time, then unary JSON and proto, the WatchSession stream, gzip both
/// ways, Connect GET, h2c and two error cases (Tests/PythonClient/netclode_api_check.py).
///
/// Enabled when `NETCLODE_PYTHON` names a Python with `connectrpc` installed and `buf` and the
/// code generators beside it (`.ci/run` sets that up from Tests/PythonClient/requirements.txt).
@Suite("Connect for Python against the control plane",
       .enabled(if: ConnectForPython.python != nil, "NETCLODE_PYTHON is not set (see .ci/run)"))
struct PythonAPIClientTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func thePythonClientDrivesTheAPI() async throws {
        let python = try #require(ConnectForPython.python)
        let bin = URL(fileURLWithPath: python).deletingLastPathComponent()
        let environment = ["PATH": "\(bin.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"]
        let assets = Self.root.appendingPathComponent("Tests/PythonClient")
        try await TemporaryDirectory.with(prefix: "netclode-python-api") { directory in
            let generate = try await Command.run(
                bin.appendingPathComponent("buf").path,
                ["generate", Self.root.appendingPathComponent("proto").path, "--template", assets.appendingPathComponent("buf.gen.yaml").path,
                 "-o", directory.path],
                environment: environment)
            try #require(generate.succeeded, "buf generate failed: \(generate.stderr)")
            try await SessionsFixture.with { fixture in
                let run = try await Command.run(
                    python,
                    [assets.appendingPathComponent("netclode_api_check.py").path, directory.path,
                     fixture.controlPlane.baseURL.absoluteString, ControlPlaneProcess.apiToken],
                    environment: environment)
                #expect(run.succeeded, "netclode_api_check.py failed:\n\(run.stdout)\n\(run.stderr)")
                #expect(run.stdout.split(separator: "\n") == ["ok create-json", "ok watch-stream", "ok gzip-and-get", "ok h2c", "ok errors"],
                        "\(run.stdout)")
            }
        }
    }
}

