import Foundation
import Testing

/// deploy/Containerfile cannot be built here (the build machines pull no images), so its review
/// is backed by what it must agree with: the user the Pods run as, where the binary and the web
/// UI's files go, and the command the Deployment and the systemd unit run.
@Suite("deploy/Containerfile")
struct ContainerfileTests {
    @Test("one release netclode with its web UI files, tini as PID 1, git and CA certificates, uid/gid 1000 as the manifests say")
    func agreesWithTheManifests() throws {
        let text = try String(contentsOf: DeployFiles.containerfile, encoding: .utf8)
        #expect(text.contains("swift build -c release --product netclode --static-swift-stdlib"))
        #expect(text.contains("COPY --from=build /out/netclode /usr/local/bin/netclode\n"))
        #expect(text.contains("COPY --from=build /out/netclode_WebUI.resources /usr/local/bin/netclode_WebUI.resources\n"),
                "the web UI's files beside the binary, where WebAssets.bundled() looks")
        #expect(text.contains("ENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/netclode\"]"))
        #expect(text.contains("useradd --uid 1000 --gid 1000") && text.contains("groupadd --gid 1000 netclode") && text.contains("\nUSER 1000:1000\n"))
        let runtimePackages = try #require(text.split(separator: "\n").first { $0.contains("apt-get install") && $0.contains("tini") })
        for package in ["ca-certificates", "git", "tini"] {
            #expect(runtimePackages.contains(package), "\(package)")
        }
        #expect(!runtimePackages.contains("bubblewrap"), "a Pod is the sandbox; no bwrap in the image")

        let deployment = try String(contentsOf: DeployFiles.kustomization.appendingPathComponent("deployment.yaml"), encoding: .utf8)
        for setting in ["runAsUser: 1000", "runAsGroup: 1000", "fsGroup: 1000", "args: [\"serve\"]"] {
            #expect(deployment.contains(setting), "\(setting)")
        }
        let unit = try String(contentsOf: DeployFiles.unit, encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/netclode serve"), "the same path on a single host")
    }
}
