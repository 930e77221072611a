import ConnectRPC
import Foundation
import KubernetesRuntime
import KubernetesStandIn
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// `netclode serve` with `NETCLODE_RUNTIME=kubernetes` against the stand-in cluster, whose
/// kubelet runs each session's Pod with the real `netclode` binary of this build, and a forge for
/// GitHub. The control plane listens on a port chosen beforehand, which is also
/// `NETCLODE_AGENT_CALLBACK_URL` (as a Service URL would be), so a restart keeps it.
struct KubernetesServeFixture {
    let forge: ForgeProcess
    let cluster: StandInCluster
    var controlPlane: ControlPlaneProcess
    var api: SessionClient {
        SessionClient(connect: ConnectClient(baseURL: controlPlane.baseURL.absoluteString, codec: .json,
                                             headers: [("Authorization", "Bearer \(ControlPlaneProcess.apiToken)")]))
    }

    static func with(repos: [String] = ["demo/hello", "demo/widgets"], _ body: (inout KubernetesServeFixture) async throws -> Void) async throws {
        let forge = try await ForgeProcess.start(repos: repos)
        var options = StandInCluster.Options()
        options.commands = ["netclode": try ForgeProcess.netclodeBinary().path]
        let cluster: StandInCluster
        do {
            cluster = try await StandInCluster.start(options)
        } catch {
            await forge.stop()
            throw error
        }
        var fixture: KubernetesServeFixture?
        do {
            // A port free now, given up just before `serve` takes it.
            let port = try ClosedPort().port
            var environment = ControlPlaneProcess.githubEnvironment(for: forge)
            environment["NETCLODE_RUNTIME"] = "kubernetes"
            environment["KUBECONFIG"] = try cluster.writeKubeconfig().path
            environment["NETCLODE_AGENT_IMAGE"] = "registry.example/netclode:standin"
            environment["NETCLODE_AGENT_CALLBACK_URL"] = "http://127.0.0.1:\(port)"
            // The server's own default (proxy: no token in the sandbox, git through the git proxy).
            environment["NETCLODE_CREDENTIAL_MODE"] = ""
            fixture = KubernetesServeFixture(forge: forge, cluster: cluster,
                                             controlPlane: try await ControlPlaneProcess.start(environment: environment, port: port))
            try await body(&fixture!)
            await fixture!.finish()
        } catch {
            await fixture?.finish()
            if fixture == nil {
                await cluster.remove()
                await forge.stop()
            }
            throw error
        }
    }

    func finish() async {
        await controlPlane.remove()
        await cluster.remove()
        await forge.stop()
    }

    func create(repos: [String]) async throws -> Netclode_V1_Session {
        try await api.create(.with {
            $0.name = "k8s"
            $0.repos = repos
        }).session
    }

    @discardableResult
    func waitFor(_ id: String, _ status: String, timeout: Duration = .seconds(120)) async throws -> Netclode_V1_Session {
        do {
            return try await api.waitFor(id, status: [status], timeout: timeout)
        } catch {
            throw KubernetesServeFailure("\(error)\n--- control plane:\n\(controlPlane.allLogs().suffix(6000))\n--- Pods:\n\(await cluster.containerLogs(of: "netclode-\(id)").suffix(6000))")
        }
    }

    func exec(_ id: String, _ command: [String]) async throws -> Netclode_V1_ExecResponse {
        try await api.exec(.with {
            $0.sessionID = id
            $0.command = command
        })
    }

    /// No token in any request body the runtime sent, and every body valid against Kubernetes'
    /// schemas (when `NETCLODE_PYTHON` has `kubernetes-validate`).
    func checkRequestBodies(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let bodies = cluster.captured.all.compactMap { request in request.body.map { (request, $0) } }
        #expect(!bodies.isEmpty, sourceLocation: sourceLocation)
        for (request, body) in bodies {
            let findings = SecretScan.text(String(decoding: body, as: UTF8.self), source: "\(request.method) \(request.path)")
            #expect(findings.isEmpty, "\(findings)", sourceLocation: sourceLocation)
            #expect(!String(decoding: body, as: UTF8.self).contains("GITHUB_TOKEN"), "\(request.method) \(request.path)", sourceLocation: sourceLocation)
        }
        for directory in cluster.dataDirectories {
            #expect(SecretScan.files(under: directory).isEmpty, sourceLocation: sourceLocation)
        }
        if KubernetesSchemas.available {
            let result = try await KubernetesSchemas.validate(bodies.compactMap(\.0.file))
            #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        }
    }
}

struct KubernetesServeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `kubernetes-validate` (PyPI, Tests/Kubernetes/requirements.txt) through `NETCLODE_PYTHON`:
/// Kubernetes' published schemas, offline, strict (unknown fields are errors).
enum KubernetesSchemas {
    /// The Kubernetes version validated against: the oldest the stand-in claims, 1.32.
    static let version = "1.32.0"

    static let available: Bool = {
        guard let python = ConnectForPython.python else { return false }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import kubernetes_validate"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Kubernetes/validate_bodies.py").path
    }

    static func validate(_ files: [URL]) async throws -> ProcessResult {
        try await Command.run(ConnectForPython.python ?? "python3", [script, version] + files.map(\.path))
    }
}
