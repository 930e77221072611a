import ConnectRPC
import Foundation
import KubernetesRuntime
import KubernetesStandIn
import NetclodeClient
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

/// Replicas with `NETCLODE_RUNTIME=kubernetes`: two `netclode serve` replicas on one PostgreSQL,
/// the stand-in cluster, and a Service (``TCPBalancer``) that the sandbox Pods dial back through
/// and that hands each connection to either replica.
@Suite("Kubernetes runtime with replicas", .serialized,
       .enabled(if: PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)"))
struct KubernetesReplicaTests {
    @Test("kill -9 the replica running a session: the Pod lives on, another replica adopts it, and the same agent reconnects through the Service")
    func podOutlivesItsReplica() async throws {
        try await PostgresServer.with { database in
            let forge = try await ForgeProcess.start(repos: ["demo/hello"])
            var options = StandInCluster.Options()
            options.commands = ["netclode": try ForgeProcess.netclodeBinary().path]
            let cluster = try await StandInCluster.start(options)
            let ports = [try ClosedPort().port, try ClosedPort().port]
            let service = try TCPBalancer(backends: ports)
            var replicas: [ControlPlaneProcess] = []
            defer { service.close() }
            do {
                for port in ports {
                    var environment = ControlPlaneProcess.githubEnvironment(for: forge)
                    environment["NETCLODE_RUNTIME"] = "kubernetes"
                    environment["KUBECONFIG"] = try cluster.writeKubeconfig().path
                    environment["NETCLODE_AGENT_IMAGE"] = "registry.example/netclode:standin"
                    environment["NETCLODE_AGENT_CALLBACK_URL"] = "http://127.0.0.1:\(service.port)"
                    environment["NETCLODE_DATABASE_URL"] = database.url
                    environment["NETCLODE_ADVERTISE_URL"] = "http://127.0.0.1:\(port)"
                    environment["NETCLODE_LEASE_SECONDS"] = "12"
                    replicas.append(try await ControlPlaneProcess.start(environment: environment, port: port))
                }
                let api = replicas.map { replica in
                    SessionClient(connect: ConnectClient(baseURL: replica.baseURL.absoluteString, codec: .json,
                                                         headers: [("Authorization", "Bearer \(ControlPlaneProcess.apiToken)")]))
                }
                // Proxy mode is refused among kubernetes replicas, by name.
                await #expect {
                    _ = try await api[0].create(.with {
                        $0.repos = ["demo/hello"]
                        $0.credentialMode = "proxy"
                    })
                } throws: { error in
                    (error as? ConnectError)?.message.contains("run token-mode sessions only") == true
                }
                let created = try await api[0].create(.with {
                    $0.name = "k8s-replicas"
                    $0.repos = ["demo/hello"]
                }).session
                do {
                    try await api[1].waitFor(created.id, status: ["ready"], timeout: .seconds(60))
                } catch {
                    throw KubernetesServeFailure("\(error)\n--- A:\n\(replicas[0].allLogs().suffix(6000))\n--- B:\n\(replicas[1].allLogs().suffix(3000))\n--- Pod:\n\(await cluster.containerLogs(of: "netclode-\(created.id)").suffix(4000))")
                }
                let podName = "netclode-\(created.id)"
                let pod = try #require(await cluster.object(.pods, named: podName))
                let agent = SandboxProcesses.agentPID(of: created.id)
                #expect(try await api[1].exec(.with {
                    $0.sessionID = created.id
                    $0.command = ["sh", "-c", "echo before > marker.txt"]
                }).exitCode == 0)

                replicas[0].kill()
                let killed = ContinuousClock.now
                var marker: Netclode_V1_ExecResponse?
                while ContinuousClock.now - killed < .seconds(120) {
                    marker = try? await api[1].exec(.with {
                        $0.sessionID = created.id
                        $0.command = ["cat", "marker.txt"]
                    })
                    if marker?.exitCode == 0 { break }
                    try await Task.sleep(for: .milliseconds(250))
                }
                print("Kubernetes replicas: the session answers again \((ContinuousClock.now - killed).formatted(.units(allowed: [.milliseconds]))) after kill -9 of its replica")
                #expect(marker?.stdout == "before\n", "\(marker?.stderr ?? "no answer")\n\(replicas[1].allLogs().suffix(5000))")
                #expect(await cluster.object(.pods, named: podName)?["metadata"]?["uid"] == pod["metadata"]?["uid"], "the same Pod")
                #expect(SandboxProcesses.agentPID(of: created.id) == agent, "the same agent process")
                #expect(cluster.captured.all.filter { $0.method == "POST" && $0.path.hasSuffix("/pods") }.count == 1, "no Pod made again")
                #expect(replicas[1].allLogs().contains("session adopted"))

                _ = try await api[1].delete(created.id)
                #expect(await cluster.objects(.pods).isEmpty)
            } catch {
                for replica in replicas { await replica.remove() }
                await cluster.remove()
                await forge.stop()
                throw error
            }
            for replica in replicas { await replica.remove() }
            await cluster.remove()
            await forge.stop()
        }
    }
}
