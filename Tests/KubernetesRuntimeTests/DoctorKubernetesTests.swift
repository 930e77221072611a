import Foundation
import KubernetesRuntime
import KubernetesStandIn
import Testing
import TestSupport

/// `netclode doctor` (the built binary) with `NETCLODE_RUNTIME=kubernetes` against the stand-in
/// cluster: the runtime line is the API's and the Role's verdict, with a fix when it fails.
@Suite("netclode doctor with the kubernetes runtime")
struct DoctorKubernetesTests {
    static let subject = "sandbox runtime kubernetes: "

    /// Runs doctor with only the settings given (the developer's own GITHUB_* and NETCLODE_* are
    /// blanked); no GitHub App is configured, so doctor exits 1 whatever the runtime says.
    static func doctor(_ settings: [String: String], in directory: TemporaryDirectory) async throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("GITHUB_") || $0.key.hasPrefix("NETCLODE_") }.mapValues { _ in "" }
        environment.merge([
            "NETCLODE_API_TOKEN": "doctor-k8s-api-token-0123456789", "NETCLODE_DATA_DIR": directory.url.appendingPathComponent("data").path,
            "NETCLODE_RUNTIME": "kubernetes", "NETCLODE_AGENT_CALLBACK_URL": "http://control-plane.netclode.svc:8080",
        ]) { $1 }
        environment.merge(settings) { $1 }
        return try await Command.run(try ForgeProcess.netclodeBinary().path, ["doctor"], environment: environment, in: directory.url)
    }

    static func line(_ prefix: String, in result: ProcessResult) -> String? {
        result.stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
    }

    @Test("a cluster that allows everything: ✓; one whose Role lacks verbs: ✗ naming them; a missing image: ✗ naming the setting")
    func verdicts() async throws {
        try await TemporaryDirectory.with(prefix: "netclode-doctor-k8s") { directory in
            let cluster = try await StandInCluster.start()
            let kubeconfig = try cluster.writeKubeconfig().path
            let ok = try await Self.doctor(["KUBECONFIG": kubeconfig, "NETCLODE_AGENT_IMAGE": "registry.example/netclode:1"], in: directory)
            let passed = Self.line("✓ " + Self.subject, in: ok)
            #expect(passed?.contains("(v1.32.0-standin) answers, and the control plane may create, watch and delete sandbox Pods") == true, "\(ok.stdout)")
            #expect(Self.line("✓ netclode serve settings: ", in: ok)?.contains("runtime kubernetes") == true, "\(ok.stdout)")
            #expect(Self.line("✓ sandbox runtime local", in: ok) == nil, "no bubblewrap check for the kubernetes runtime")
            let reviews = cluster.captured.all.filter { $0.path.hasSuffix("/selfsubjectaccessreviews") }
            #expect(reviews.count == KubernetesRuntimeCheck.requiredAccess.count, "one SelfSubjectAccessReview per verb the runtime uses")

            let missingImage = try await Self.doctor(["KUBECONFIG": kubeconfig, "NETCLODE_AGENT_IMAGE": ""], in: directory)
            #expect(Self.line("✗ " + Self.subject + "its settings cannot be used: ", in: missingImage)?.contains("NETCLODE_AGENT_IMAGE") == true, "\(missingImage.stdout)")
            await cluster.remove()

            var options = StandInCluster.Options()
            options.deniedAccess = ["delete persistentvolumeclaims", "watch pods"]
            let strict = try await StandInCluster.start(options)
            let denied = try await Self.doctor(["KUBECONFIG": try strict.writeKubeconfig().path, "NETCLODE_AGENT_IMAGE": "registry.example/netclode:1"], in: directory)
            #expect(denied.exitCode == 1)
            let failed = Self.line("✗ " + Self.subject, in: denied)
            #expect(failed?.contains("may not watch pods, delete persistentvolumeclaims in namespace netclode") == true, "\(denied.stdout)")
            #expect(denied.stdout.contains("    fix: apply deploy/kubernetes (its Role and RoleBinding)"), "\(denied.stdout)")
            #expect(!denied.stdout.contains(strict.options.token) && !ok.stdout.contains(cluster.options.token), "the cluster's token is never printed")
            await strict.remove()
        }
    }
}
