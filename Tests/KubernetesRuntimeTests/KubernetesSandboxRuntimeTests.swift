import Foundation
import KubernetesRuntime
import KubernetesStandIn
import Sandbox
import TestSupport
import Testing

/// The runtime against the stand-in cluster: the objects it makes, the lifecycle from the API's
/// own state (watch, 410, failures), pause/resume/remove, adoption, idempotent 409/404.
@Suite("Kubernetes runtime against the stand-in", .serialized)
struct KubernetesSandboxRuntimeTests {
    @Test func aSessionIsAPodASecretAndAClaimAndTheSecretReachesOnlyTheAgent() async throws {
        try await RuntimeFixture.with { fixture in
            let secret = "agent-secret-\(UUID().uuidString)"
            // The "agent": reads the handed-over file and deletes it, as `netclode agent` does.
            let script = #"cat "$NETCLODE_AGENT_SECRET_FILE" > secret-seen.txt && rm "$NETCLODE_AGENT_SECRET_FILE" && env > env.txt && ls -a "$(dirname "$NETCLODE_AGENT_SECRET_FILE")" > handover.txt && echo done > written && exec sleep 300"#
            let info = try await fixture.runtime.start(fixture.shell("s1", script, secret: secret, annotations: ["agent-secret-sha256": "abc123"]))
            #expect(info.location == "pod netclode/netclode-s1")
            #expect(info.isolated)
            let pod = try await fixture.waitForPod("s1", phase: "Running")
            #expect(await fixture.runtime.status(sessionID: "s1") == .running)

            _ = try await fixture.waitForWorkspaceFile("s1", "written")
            let workspace = await fixture.cluster.claimDirectory("netclode-s1-workspace")
            let read = { (name: String) in (try? String(contentsOf: workspace.appendingPathComponent(name), encoding: .utf8)) ?? "(missing)" }
            #expect(read("secret-seen.txt") == "NETCLODE_AGENT_SECRET=\(secret)\n")
            let environment = read("env.txt")
            #expect(!environment.contains(secret), "the secret is in the agent's environment")
            #expect(environment.contains("NETCLODE_AGENT_SECRET_FILE=") && environment.contains("HOME="))
            #expect(read("handover.txt") == ".\n..\n", "the handed-over copy is gone once read")

            // The Pod: labels, annotations, hardening, no secret anywhere in it.
            #expect(pod.labels == ["app.kubernetes.io/name": "netclode", "app.kubernetes.io/component": "sandbox",
                                   "app.kubernetes.io/managed-by": "netclode", "netclode.dev/session": "s1"])
            #expect(pod["metadata"]?["annotations"]?["netclode.dev/agent-secret-sha256"] == "abc123")
            #expect(!String(decoding: pod.encoded(), as: UTF8.self).contains(secret))
            let spec = try #require(pod["spec"])
            #expect(spec["automountServiceAccountToken"] == false)
            #expect(spec["securityContext"]?["runAsNonRoot"] == true)
            #expect(spec["securityContext"]?["runAsUser"] == 1000)
            #expect(spec["securityContext"]?["seccompProfile"]?["type"] == "RuntimeDefault")
            let agent = try #require(spec["containers"]?.arrayValue?.first)
            #expect(agent["securityContext"]?["readOnlyRootFilesystem"] == true)
            #expect(agent["securityContext"]?["allowPrivilegeEscalation"] == false)
            #expect(agent["securityContext"]?["capabilities"]?["drop"] == ["ALL"])
            #expect(agent["resources"]?["limits"]?["memory"] == "4Gi")
            #expect(agent["resources"]?["limits"]?["ephemeral-storage"] == "10Gi")
            #expect(!(agent["volumeMounts"]?.arrayValue ?? []).contains { $0["name"] == "agent-secret" }, "the agent's container does not mount the Secret")

            // The Secret: only the agent's secret, owned by the Pod.
            let stored = try #require(await fixture.cluster.object(.secrets, named: "netclode-s1-agent"))
            #expect(stored["data"]?.objectValue?.keys.sorted() == ["agent-secret"])
            #expect(stored["metadata"]?["ownerReferences"]?.arrayValue?.first?["uid"] == pod["metadata"]?["uid"])
            #expect(await fixture.cluster.object(.persistentvolumeclaims, named: "netclode-s1-workspace") != nil)
            #expect(fixture.events.all.isEmpty)
        }
    }

    @Test func pauseKeepsTheClaimResumeFindsItRemoveLeavesNothing() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s2", "echo kept >> notes.txt; exec sleep 300"))
            let first = try await fixture.waitForPod("s2", phase: "Running")
            #expect(try await fixture.waitForWorkspaceFile("s2", "notes.txt") == "kept\n")

            await fixture.runtime.stop(sessionID: "s2", grace: .seconds(2))
            #expect(await fixture.pod("s2") == nil, "stop returns once the Pod is gone")
            #expect(await fixture.cluster.object(.secrets, named: "netclode-s2-agent") == nil)
            #expect(await fixture.cluster.object(.persistentvolumeclaims, named: "netclode-s2-workspace") != nil)
            #expect(await fixture.runtime.status(sessionID: "s2") == .notRunning)

            // Resume: the claim is there already (409, fine); a new Pod finds the workspace.
            _ = try await fixture.runtime.start(fixture.shell("s2", "echo again >> notes.txt; exec sleep 300"))
            let second = try await fixture.waitForPod("s2", phase: "Running")
            #expect(second["metadata"]?["uid"] != first["metadata"]?["uid"])
            _ = try await poll({ "the second line" }) { try await fixture.waitForWorkspaceFile("s2", "notes.txt") == "kept\nagain\n" ? true : nil }
            #expect(fixture.cluster.captured.all.filter { $0.method == "POST" && $0.path.hasSuffix("/persistentvolumeclaims") }.count == 2)

            try await fixture.runtime.remove(sessionID: "s2")
            #expect(await fixture.cluster.objects(.pods).isEmpty)
            #expect(await fixture.cluster.objects(.secrets).isEmpty)
            #expect(await fixture.cluster.objects(.persistentvolumeclaims).isEmpty)
            // Again: every delete answers 404, which is what was wanted.
            try await fixture.runtime.remove(sessionID: "s2")
            await fixture.runtime.stop(sessionID: "never-started", grace: .seconds(1))
            #expect(fixture.events.all.isEmpty, "\(fixture.events.all)")
        }
    }

    @Test func anAgentThatExitsIsReportedWithItsCode() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s3", "exit 7"))
            #expect(try await fixture.events.first(of: "s3") == .exited(sessionID: "s3", code: 7))
            #expect(await fixture.runtime.status(sessionID: "s3") == .exited(code: 7))
        }
    }

    @Test func anOOMKillIsAFailureWithKubernetesReason() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s4", "exec sleep 300"))
            try await fixture.waitForPod("s4", phase: "Running")
            #expect(await fixture.cluster.oomKill(pod: "netclode-s4"))
            guard case .failed(_, let reason, let message) = try await fixture.events.first(of: "s4") else {
                Issue.record("not a failure: \(fixture.events.all)")
                return
            }
            #expect(reason == "OOMKilled")
            #expect(message.contains("memory limit") && message.contains("137"))
            #expect(await fixture.runtime.status(sessionID: "s4") == .failed(reason: "OOMKilled"))
        }
    }

    @Test func imagePullFailuresAndUnschedulablePodsAreFailures() async throws {
        try await RuntimeFixture.with { fixture in
            await fixture.cluster.failPulls(of: RuntimeFixture.image)
            _ = try await fixture.runtime.start(fixture.shell("s5", "exec sleep 300"))
            guard case .failed(_, let reason, _) = try await fixture.events.first(of: "s5") else { Issue.record("\(fixture.events.all)"); return }
            #expect(reason == "ErrImagePull" || reason == "ImagePullBackOff")

            await fixture.cluster.setUnschedulable("0/1 nodes are available: 1 Insufficient memory.")
            _ = try await fixture.runtime.start(fixture.shell("s6", "exec sleep 300"))
            guard case .failed(_, let unschedulable, let message) = try await fixture.events.first(of: "s6") else { Issue.record("\(fixture.events.all)"); return }
            #expect(unschedulable == "Unschedulable")
            #expect(message.contains("Insufficient memory"))
        }
    }

    @Test func aPodDeletedFromOutsideIsReported() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s7", "exec sleep 300"))
            try await fixture.waitForPod("s7", phase: "Running")
            try await fixture.cluster.deletePod("netclode-s7")
            guard case .failed(_, let reason, _) = try await fixture.events.first(of: "s7") else { Issue.record("\(fixture.events.all)"); return }
            // SIGTERM ends `sleep` with 143 before the Pod is removed: either is the truth.
            #expect(reason == "Deleted" || reason == "Failed")
        }
    }

    /// A resourceVersion the watch cache no longer has: the in-band 410, a new list, and the
    /// runtime still sees what happens.
    @Test func anExpiredWatchListsAgainAndMissesNothing() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s8", "exec sleep 300"))
            try await fixture.waitForPod("s8", phase: "Running")
            let lists = { fixture.cluster.captured.all.filter { $0.method == "GET" && $0.path.hasSuffix("/pods") && !$0.query.contains("watch=") }.count }
            let before = lists()
            await fixture.cluster.compactWatchCache()
            _ = try await poll({ "a list after the 410" }) { lists() > before ? true : nil }
            #expect(await fixture.cluster.oomKill(pod: "netclode-s8"))
            guard case .failed(_, let reason, _) = try await fixture.events.first(of: "s8") else { Issue.record("\(fixture.events.all)"); return }
            #expect(reason == "OOMKilled")
        }
    }

    /// A control plane that restarts: the new runtime adopts the live Pod with its annotations
    /// (no second Pod), supervises it, and a failed Pod is not adopted.
    @Test func aRestartedRuntimeAdoptsLivePods() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s9", "exec sleep 300", annotations: ["agent-secret-sha256": "digest"]))
            _ = try await fixture.runtime.start(fixture.shell("s10", "exit 3"))
            let running = try await fixture.waitForPod("s9", phase: "Running")
            try await fixture.waitForPod("s10", phase: "Failed")
            await fixture.runtime.shutdown(grace: .seconds(1))
            #expect(await fixture.pod("s9") != nil, "shutting down leaves Pods running")

            let next = try fixture.restartedRuntime()
            let adopted = try await next.runtime.adoptRunning()
            #expect(adopted.map(\.info.sessionID) == ["s9"])
            #expect(adopted.first?.annotations == ["agent-secret-sha256": "digest"])
            #expect(await next.runtime.status(sessionID: "s9") == .running)
            #expect(await fixture.pod("s9")?["metadata"]?["uid"] == running["metadata"]?["uid"], "adopted, not recreated")
            #expect(await next.cluster.oomKill(pod: "netclode-s9"))
            guard case .failed(_, let reason, _) = try await next.events.first(of: "s9") else { Issue.record("\(next.events.all)"); return }
            #expect(reason == "OOMKilled")
            await next.runtime.shutdown(grace: .seconds(1))
        }
    }

    /// A Pod of the session left by an earlier control plane (409 on create) is replaced.
    @Test func aLeftoverPodIsReplaced() async throws {
        try await RuntimeFixture.with { fixture in
            _ = try await fixture.runtime.start(fixture.shell("s11", "exec sleep 300"))
            let old = try await fixture.waitForPod("s11", phase: "Running")
            let next = try fixture.restartedRuntime()
            _ = try await next.runtime.start(next.shell("s11", "exec sleep 300"))
            let new = try await next.waitForPod("s11", phase: "Running")
            #expect(new["metadata"]?["uid"] != old["metadata"]?["uid"])
            #expect(await next.cluster.objects(.pods).count == 1)
            await next.runtime.shutdown(grace: .seconds(1))
        }
    }

    @Test func whatAPodCannotDoIsRefusedBeforeAnythingIsMade() async throws {
        try await RuntimeFixture.with { fixture in
            for (spec, code) in [
                (fixture.shell("Upper_Case", "true"), SandboxError.Code.invalidSessionID),
                (SandboxSpec(sessionID: "s12", arguments: [], environment: [:], hostExecutable: "/bin/sh"), .invalidSpec),
                (SandboxSpec(sessionID: "s12", arguments: [], environment: [:], network: .isolated), .isolatedNetworkUnavailable),
                (SandboxSpec(sessionID: "s12", arguments: [], environment: [:], annotations: ["Bad Key": "x"]), .invalidSpec),
            ] {
                let error = await #expect(throws: SandboxError.self) { try await fixture.runtime.start(spec) }
                #expect(error?.code == code, "\(String(describing: error))")
            }
            #expect(await fixture.cluster.objects(.pods).isEmpty)
            #expect(await fixture.cluster.objects(.persistentvolumeclaims).isEmpty)
        }
    }

    /// A Role without `list pods`: the watch's list gets 403, and starts are refused with
    /// RBAC's message rather than Pods being created blind.
    @Test func aForbiddenListRefusesStartsWithTheReason() async throws {
        try await RuntimeFixture.with({ $0.forbidden = ["list pods"] }) { fixture in
            let error = try await poll({ "checkCanStart to be refused" }) { () async -> SandboxError? in
                do {
                    try await fixture.runtime.checkCanStart()
                    return nil
                } catch {
                    return error as? SandboxError
                }
            }
            #expect(error.description.contains("forbids") && error.description.contains("cannot list resource \"pods\""), "\(error)")
            await #expect(throws: SandboxError.self) { try await fixture.runtime.adoptRunning() }
        }
    }

    @Test func clientCertificatesAuthenticate() async throws {
        try await RuntimeFixture.with({ $0.requireClientCertificate = true }, clientCertificate: true) { fixture in
            #expect(try await fixture.runtime.adoptRunning().isEmpty)
            _ = try await fixture.runtime.start(fixture.shell("s13", "exec sleep 300"))
            try await fixture.waitForPod("s13", phase: "Running")
        }
    }
}
