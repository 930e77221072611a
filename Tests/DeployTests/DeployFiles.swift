import Foundation
import Testing
import TestSupport

/// The repository's deploy/ folder, and the tools the deploy tests run: `kubectl` (Debian's
/// `kubernetes-client`), the Python of NETCLODE_PYTHON with `kubernetes-validate`
/// (Tests/Kubernetes/requirements.txt), `systemd-analyze` (Debian's `systemd`). A missing tool
/// fails the test with the command that installs it, as `.ci/run` does.
enum DeployFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let deploy = root.appendingPathComponent("deploy", isDirectory: true)
    static let kustomization = deploy.appendingPathComponent("kubernetes", isDirectory: true)
    static let unit = deploy.appendingPathComponent("systemd/netclode.service")
    static let containerfile = deploy.appendingPathComponent("Containerfile")

    /// The current Kubernetes version the manifests are validated against (the newest schema
    /// kubernetes-validate 1.37 bundles), and the oldest one still supported upstream that k3s ships.
    static let kubernetesVersions = ["1.37.0", "1.32.0"]

    /// An executable on PATH (or the usual directories), or a failure naming the package.
    static func tool(_ name: String, package: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw DeployTestError("\(name) is not installed: apt-get install -y \(package) (.ci/run does)")
    }

    /// NETCLODE_PYTHON, with kubernetes-validate importable.
    static func python() async throws -> String {
        guard let python = ConnectForPython.python else {
            throw DeployTestError("NETCLODE_PYTHON is not set: point it at a virtualenv's python with `pip install -r Tests/Kubernetes/requirements.txt` (.ci/run does)")
        }
        let check = try await Command.run(python, ["-c", "import kubernetes_validate, yaml"])
        guard check.succeeded else {
            throw DeployTestError("\(python) lacks kubernetes-validate: \(python) -m pip install -r Tests/Kubernetes/requirements.txt (\(check.stderr))")
        }
        return python
    }

    /// A copy of deploy/kubernetes with `.env` made from `.env.example` (the real `.env` is never
    /// in the repository), rendered by `kubectl kustomize`: the YAML text.
    static func render(in directory: TemporaryDirectory) async throws -> String {
        let copy = directory.url.appendingPathComponent("kubernetes", isDirectory: true)
        try FileManager.default.copyItem(at: kustomization, to: copy)
        try FileManager.default.copyItem(at: copy.appendingPathComponent(".env.example"), to: copy.appendingPathComponent(".env"))
        let kubectl = try tool("kubectl", package: "kubernetes-client")
        let result = try await Command.run(kubectl, ["kustomize", copy.path])
        guard result.succeeded else { throw DeployTestError("kubectl kustomize failed: \(result.stderr)") }
        return result.stdout
    }

    /// YAML documents as JSON objects (through PyYAML, which kubernetes-validate brings).
    static func objects(of yaml: String, in directory: TemporaryDirectory) async throws -> [[String: Any]] {
        let file = directory.url.appendingPathComponent("rendered-for-json.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let script = "import json, sys, yaml; json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], sys.stdout)"
        let result = try await Command.run(try await python(), ["-c", script, file.path])
        guard result.succeeded else { throw DeployTestError("cannot parse the rendered YAML: \(result.stderr)") }
        guard let objects = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            throw DeployTestError("the rendered YAML is not a list of objects")
        }
        return objects
    }
}

struct DeployTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Dictionary paths without a cast at every step: `object[path: "spec", "template", "spec"]`.
extension Dictionary where Key == String, Value == Any {
    subscript(path keys: String...) -> Any? {
        var current: Any? = self
        for key in keys {
            current = (current as? [String: Any])?[key]
        }
        return current
    }
}
