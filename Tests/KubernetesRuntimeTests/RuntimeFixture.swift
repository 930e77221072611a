import Foundation
import KubernetesRuntime
import KubernetesStandIn
import Logging
import Sandbox
import Synchronization
import TestSupport
import Testing

/// A stand-in cluster and a ``KubernetesSandboxRuntime`` pointed at it through a kubeconfig, for
/// the runtime's own tests. The image's `netclode` is `/bin/sh` here, so a spec's arguments
/// (`-c script`) say what the "agent" does.
struct RuntimeFixture {
    static let image = "registry.example/netclode:test"

    let cluster: StandInCluster
    let runtime: KubernetesSandboxRuntime
    let settings: KubernetesRuntimeSettings
    let events: EventRecorder
    let logs: LogCapture

    static func with(_ configure: (inout StandInCluster.Options) -> Void = { _ in }, clientCertificate: Bool = false,
                     _ body: (RuntimeFixture) async throws -> Void) async throws {
        var options = StandInCluster.Options()
        options.commands = ["netclode": "/bin/sh"]
        configure(&options)
        let cluster = try await StandInCluster.start(options)
        do {
            let settings = try KubernetesRuntimeSettings(environment: [
                "KUBECONFIG": try cluster.writeKubeconfig(clientCertificate: clientCertificate).path,
                "NETCLODE_AGENT_IMAGE": image,
            ])
            let fixture = try makeRuntime(cluster: cluster, settings: settings)
            do {
                try await body(fixture)
            } catch {
                await fixture.finish()
                throw error
            }
            await fixture.finish()
        } catch {
            await cluster.remove()
            throw error
        }
    }

    static func makeRuntime(cluster: StandInCluster, settings: KubernetesRuntimeSettings) throws -> RuntimeFixture {
        let logs = LogCapture()
        let runtime = try KubernetesSandboxRuntime(settings: settings, logger: logs.logger(label: "k8s"), watchTimeoutSeconds: 20)
        return RuntimeFixture(cluster: cluster, runtime: runtime, settings: settings, events: EventRecorder(runtime.events), logs: logs)
    }

    /// Another runtime on the same cluster, as a restarted control plane makes.
    func restartedRuntime() throws -> RuntimeFixture {
        try Self.makeRuntime(cluster: cluster, settings: settings)
    }

    func finish() async {
        await runtime.shutdown(grace: .seconds(1))
        await cluster.remove()
    }

    /// `netclode -c script`: the image's `netclode` is `/bin/sh`.
    func shell(_ sessionID: String, _ script: String, secret: String = "agent-secret-\(UUID().uuidString)",
               annotations: [String: String] = [:]) -> SandboxSpec {
        SandboxSpec(sessionID: sessionID, arguments: ["-c", script],
                    environment: ["NETCLODE_SESSION_ID": sessionID, "NETCLODE_AGENT_SECRET": secret], annotations: annotations)
    }

    func pod(_ sessionID: String) async -> JSONValue? {
        await cluster.object(.pods, named: "netclode-\(sessionID)")
    }

    /// Waits until the session's Pod has `phase`.
    @discardableResult
    func waitForPod(_ sessionID: String, phase: String, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        try await poll(timeout: timeout, { "Pod of \(sessionID) in phase \(phase); logs:\n\(await cluster.containerLogs(of: "netclode-\(sessionID)"))" }) {
            let pod = await pod(sessionID)
            return pod?["status"]?["phase"]?.stringValue == phase ? pod : nil
        }
    }

    /// Waits until `file` appears in the session's workspace (the claim's directory), and
    /// answers its contents; an empty file counts as not there yet (it may be being written).
    func waitForWorkspaceFile(_ sessionID: String, _ name: String, timeout: Duration = .seconds(60)) async throws -> String {
        let directory = await cluster.claimDirectory("netclode-\(sessionID)-workspace")
        return try await poll(timeout: timeout, { "\(name) in the workspace of \(sessionID)" }) {
            (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}

/// The runtime's events as they arrive.
final class EventRecorder: Sendable {
    private final class Received: Sendable {
        let events = Mutex<[SandboxEvent]>([])
    }

    private let received = Received()
    private let task: Task<Void, Never>

    init(_ events: AsyncStream<SandboxEvent>) {
        let received = self.received
        task = Task {
            for await event in events { received.events.withLock { $0.append(event) } }
        }
    }

    deinit { task.cancel() }

    var all: [SandboxEvent] { received.events.withLock { $0 } }

    func events(of sessionID: String) -> [SandboxEvent] { all.filter { $0.sessionID == sessionID } }

    /// Waits for the first event of `sessionID`.
    func first(of sessionID: String, timeout: Duration = .seconds(60)) async throws -> SandboxEvent {
        try await poll(timeout: timeout, { "an event of \(sessionID)" }) { self.events(of: sessionID).first }
    }
}
