import AsyncHTTPClient
import ConnectRPC
import Foundation
import KubernetesRuntime
import KubernetesStandIn
import NetclodeClient
import NetclodeProto
import NIOCore
import TestSupport
import Testing

/// `NETCLODE_RUNTIME=kubernetes` end to end: `netclode serve` creates, pauses, resumes, adopts
/// and deletes sessions as Pods of the stand-in cluster, whose kubelet runs the real agent.
@Suite("Kubernetes runtime end to end", .serialized)
struct KubernetesLifecycleTests {
    @Test func createCloneChangeAccessPauseResumeDelete() async throws {
        try await KubernetesServeFixture.with { fixture in
            let clock = ContinuousClock.now
            let created = try await fixture.create(repos: ["demo/hello", "demo/widgets"])
            let ready = try await fixture.waitFor(created.id, "ready")
            let createToReady = ContinuousClock.now - clock
            print("Kubernetes runtime (stand-in): CreateSession to ready with 2 repos in \(createToReady.formatted(.units(allowed: [.milliseconds])))")
            #expect(ready.repoStatus.count == 2 && ready.repoStatus.allSatisfy { $0.stage == "done" }, "\(ready.repoStatus)")

            // Clone events, in the history, for both repositories.
            let history = try await fixture.api.watch(created.id, timeout: .seconds(60)) { items in
                Set(items.filter { $0.event.kind == "repo_clone" && $0.event.stage == "done" }.map(\.event.repo)).count == 2
            }
            #expect(history.contains { $0.event.kind == "repo_clone" && $0.event.stage == "starting" })

            let podName = "netclode-\(created.id)"
            let pod = try #require(await fixture.cluster.object(.pods, named: podName))
            #expect(pod["status"]?["phase"] == "Running")
            #expect(pod.labels["netclode.dev/session"] == created.id)
            if let sent = fixture.cluster.captured.all.first(where: { $0.method == "POST" && $0.path.hasSuffix("/pods") })?.body {
                print("Kubernetes runtime (stand-in): the Pod the runtime sent:\n\(String(decoding: sent, as: UTF8.self))")
            }
            #expect(await fixture.cluster.object(.persistentvolumeclaims, named: "\(podName)-workspace") != nil)
            let cloned = try await fixture.exec(created.id, ["git", "-C", "demo__hello", "log", "--oneline", "-1"])
            #expect(cloned.exitCode == 0, "\(cloned.stderr)")

            // Access change: read-only refuses a push, write allows it, through the git proxy at
            // the callback URL.
            let push = ["sh", "-c", "cd demo__hello && git commit -q --allow-empty -m k8s && git push -q origin HEAD:main"]
            #expect(try await fixture.exec(created.id, push).exitCode != 0, "read access pushes nothing")
            let upgraded = try await fixture.api.updateRepoAccess(created.id, "write")
            #expect(upgraded.applied)
            let pushed = try await fixture.exec(created.id, push)
            #expect(pushed.exitCode == 0, "\(pushed.stderr)")

            // Pause: the Pod goes, the claim stays.
            _ = try await fixture.api.pause(created.id)
            #expect(await fixture.cluster.object(.pods, named: podName) == nil)
            #expect(await fixture.cluster.object(.secrets, named: "\(podName)-agent") == nil)
            #expect(await fixture.cluster.object(.persistentvolumeclaims, named: "\(podName)-workspace") != nil)

            // Resume: a new Pod on the same claim finds the clones.
            _ = try await fixture.api.resume(created.id)
            let resumed = try await fixture.waitFor(created.id, "ready")
            #expect(resumed.repoStatus.allSatisfy { $0.message.contains("Already cloned") }, "\(resumed.repoStatus)")
            let newPod = try #require(await fixture.cluster.object(.pods, named: podName))
            #expect(newPod["metadata"]?["uid"] != pod["metadata"]?["uid"])
            #expect(try await fixture.exec(created.id, ["git", "-C", "demo__hello", "log", "--oneline", "-1"]).stdout.contains("k8s"))

            // Delete: nothing left.
            _ = try await fixture.api.delete(created.id)
            #expect(await fixture.cluster.objects(.pods).isEmpty)
            #expect(await fixture.cluster.objects(.secrets).isEmpty)
            #expect(await fixture.cluster.objects(.persistentvolumeclaims).isEmpty)

            try await fixture.checkRequestBodies()
            #expect(SecretScan.text(fixture.controlPlane.allLogs(), source: "control plane logs").isEmpty)
            #expect(SecretScan.text(await fixture.cluster.containerLogs(of: podName), source: "agent logs").isEmpty)
        }
    }

    /// The control plane restarts; the session's Pod keeps running and its agent dials the new
    /// one, which adopts it: same Pod, same agent process, no second Pod.
    @Test func aRestartAdoptsRunningPods() async throws {
        try await KubernetesServeFixture.with(repos: ["demo/hello"]) { fixture in
            let created = try await fixture.create(repos: ["demo/hello"])
            try await fixture.waitFor(created.id, "ready")
            let podName = "netclode-\(created.id)"
            let pod = try #require(await fixture.cluster.object(.pods, named: podName))
            let agent = try #require(SandboxProcesses.agentPID(of: created.id))
            #expect(try await fixture.exec(created.id, ["sh", "-c", "echo before > marker.txt"]).exitCode == 0)

            await fixture.controlPlane.stop()
            #expect(await fixture.cluster.object(.pods, named: podName) != nil, "the Pod outlives the control plane")
            fixture.controlPlane = try await fixture.controlPlane.restart(keepingPort: true)

            // The agent reconnects by itself (its backoff is at most 5 s); exec needs it attached.
            let marker = try await poll(timeout: .seconds(90), { "the adopted agent to answer; logs:\n\(fixture.controlPlane.allLogs().suffix(4000))" }) {
                let result = try? await fixture.exec(created.id, ["cat", "marker.txt"])
                return result?.exitCode == 0 ? result : nil
            }
            #expect(marker.stdout == "before\n")
            #expect(SandboxProcesses.agentPID(of: created.id) == agent, "the same agent process")
            #expect(await fixture.cluster.object(.pods, named: podName)?["metadata"]?["uid"] == pod["metadata"]?["uid"], "the same Pod")
            let creates = fixture.cluster.captured.all.filter { $0.method == "POST" && $0.path.hasSuffix("/pods") }
            #expect(creates.count == 1, "no Pod was created again")
            #expect(try await fixture.api.session(created.id).status == "ready")
            #expect(fixture.controlPlane.allLogs().contains("session adopted"))
            let readiness = try await HTTPClient.shared.execute(HTTPClientRequest(url: fixture.controlPlane.baseURL.absoluteString + "/readyz"), timeout: .seconds(30))
            let readinessBody = String(buffer: try await readiness.body.collect(upTo: 1 << 16))
            #expect(readinessBody.contains("restored (1 of 1 started, 1 adopted)"), "\(readinessBody)")

            _ = try await fixture.api.delete(created.id)
            #expect(await fixture.cluster.objects(.pods).isEmpty)
            try await fixture.checkRequestBodies()
        }
    }

    @Test func anOOMKilledPodPutsTheSessionInErrorWithTheReason() async throws {
        try await KubernetesServeFixture.with(repos: ["demo/hello"]) { fixture in
            let created = try await fixture.create(repos: [])
            try await fixture.waitFor(created.id, "ready")
            let podName = "netclode-\(created.id)"
            #expect(await fixture.cluster.oomKill(pod: podName))
            let failed = try await fixture.api.waitFor(created.id, status: ["error"], timeout: .seconds(60))
            #expect(failed.error.contains("OOMKilled"), "\(failed.error)")
            #expect(failed.error.contains("memory limit"))
            // The failed Pod is cleaned up; the workspace stays for a resume.
            _ = try await poll({ "the failed Pod to be deleted" }) { await fixture.cluster.object(.pods, named: podName) == nil ? true : nil }
            #expect(await fixture.cluster.object(.persistentvolumeclaims, named: "\(podName)-workspace") != nil)

            _ = try await fixture.api.resume(created.id)
            try await fixture.waitFor(created.id, "ready")
            _ = try await fixture.api.delete(created.id)
            try await fixture.checkRequestBodies()
        }
    }
}
