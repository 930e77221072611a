import Foundation
import KubernetesRuntime

/// The stand-in's scheduler and kubelet, on one node: binds each new Pod, makes its volumes
/// (a claim is a directory that outlives the Pod, a Secret volume is its data as files, an
/// `emptyDir` a fresh directory), "pulls" its images, runs its init containers then its
/// containers as local processes (``ContainerProcess``), and writes what happens into the Pod's
/// status, which the API's watch then reports: `Pending` → `Running` → `Succeeded`/`Failed`,
/// container states with exit codes and reasons, `PodScheduled`/`Ready` conditions.
///
/// A container runs the host program its command names (``Options/commands`` maps `netclode` to
/// the built binary; other names are looked up on `PATH`). Paths under a container's mounts, in
/// its command, arguments, environment and working directory, are rewritten to the volumes'
/// directories: the process runs on this host, not in the image. Deleting a Pod sends SIGTERM to
/// its containers, SIGKILL after its grace period, then removes it (and, as the garbage collector,
/// the objects it owns).
actor Kubelet {
    struct Options: Sendable {
        /// Host programs for the image's commands, e.g. `["netclode": "/path/to/.build/debug/netclode"]`.
        var commands: [String: String]
        /// The image's `PATH`.
        var path = "/usr/local/bin:/usr/bin:/bin"
        /// Images that cannot be pulled (`ErrImagePull`, then `ImagePullBackOff`).
        var unpullableImages: Set<String> = []
        /// When set, no Pod is scheduled: `PodScheduled` False, `Unschedulable`, this message.
        var unschedulable: String?
    }

    private final class PodRun: Sendable {
        let namespace: String
        let name: String
        let uid: String
        let directory: URL
        init(namespace: String, name: String, uid: String, directory: URL) {
            self.namespace = namespace
            self.name = name
            self.uid = uid
            self.directory = directory
        }
    }

    private let state: ClusterState
    private let root: URL
    var options: Options
    private var runs: [String: PodRun] = [:]
    private var containers: [String: [ContainerProcess]] = [:]
    private var deleting: Set<String> = []
    private var oomKilled: Set<String> = []
    private var tasks: [String: Task<Void, Never>] = [:]

    init(state: ClusterState, root: URL, options: Options) {
        self.state = state
        self.root = root
        self.options = options
    }

    func setOptions(_ change: @Sendable (inout Options) -> Void) { change(&options) }

    /// The directory behind a claim: made on first use, kept until the claim is deleted.
    func claimDirectory(namespace: String, claim: String) -> URL {
        let directory = root.appendingPathComponent("claims/\(namespace)/\(claim)", isDirectory: true)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    func claimDeleted(namespace: String, claim: String) {
        try? FileManager.default.removeItem(at: root.appendingPathComponent("claims/\(namespace)/\(claim)", isDirectory: true))
    }

    // MARK: Pods

    func admit(_ pod: JSONValue) {
        let namespace = pod[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let run = PodRun(namespace: namespace, name: pod.name, uid: pod.uid,
                         directory: root.appendingPathComponent("pods/\(pod.name)-\(pod.uid.prefix(8))", isDirectory: true))
        runs[run.uid] = run
        tasks[run.uid] = Task { await self.run(pod, run) }
    }

    /// Starts deleting a Pod: its containers get SIGTERM now and SIGKILL after `grace`; once they
    /// are gone the Pod is removed. Returns the Pod as the DELETE answers it (with
    /// `deletionTimestamp`), or nil if there is no such Pod.
    func delete(namespace: String, name: String, grace: Int) async -> JSONValue? {
        guard let pod = await state.get(.pods, namespace, name) else { return nil }
        let uid = pod.uid
        let marked = await state.update(.pods, namespace, name, uid: uid) { pod in
            if pod[path: ["metadata", "deletionTimestamp"]] == nil {
                pod.set(["metadata", "deletionTimestamp"], .string(ClusterState.timestamp(Date().addingTimeInterval(TimeInterval(grace)))))
                pod.set(["metadata", "deletionGracePeriodSeconds"], .int(grace))
            }
        } ?? pod
        guard !deleting.contains(uid) else { return marked }
        deleting.insert(uid)
        let running = containers[uid] ?? []
        Task {
            for container in running { container.terminate() }
            let killer = Task {
                try? await Task.sleep(for: .seconds(grace))
                for container in running { container.kill() }
            }
            for container in running { _ = await container.wait() }
            killer.cancel()
            await self.finishDeletion(namespace: namespace, name: name, uid: uid)
        }
        return marked
    }

    private func finishDeletion(namespace: String, name: String, uid: String) async {
        tasks.removeValue(forKey: uid)?.cancel()
        for container in containers.removeValue(forKey: uid) ?? [] { container.kill() }
        // The volumes go; the container logs stay for the test's failure messages.
        if let run = runs.removeValue(forKey: uid) { try? FileManager.default.removeItem(at: run.directory.appendingPathComponent("volumes")) }
        deleting.remove(uid)
        oomKilled.remove(uid)
        guard await state.remove(.pods, namespace, name, uid: uid) != nil else { return }
        // The garbage collector: what the Pod owned goes with it (background propagation).
        for (resource, dependentNamespace, dependent) in await state.dependents(of: uid) {
            await state.remove(resource, dependentNamespace, dependent)
        }
    }

    /// Kills the Pod's containers as the kernel's OOM killer would: SIGKILL, and the container's
    /// state says `OOMKilled`.
    func oomKill(namespace: String, name: String) async -> Bool {
        guard let pod = await state.get(.pods, namespace, name), let running = containers[pod.uid], !running.isEmpty else { return false }
        oomKilled.insert(pod.uid)
        for container in running { container.kill() }
        return true
    }

    /// Kills every container (the stand-in is going away).
    func shutdown() {
        for task in tasks.values { task.cancel() }
        for container in containers.values.flatMap({ $0 }) { container.kill() }
        containers = [:]
    }

    // MARK: Running a Pod

    private func isDeleting(_ uid: String) -> Bool { deleting.contains(uid) || Task.isCancelled }

    private func setStatus(_ run: PodRun, _ change: @escaping @Sendable (inout JSONValue) -> Void) async {
        await state.update(.pods, run.namespace, run.name, uid: run.uid) { pod in
            var status = pod["status"] ?? .object([:])
            change(&status)
            pod.set(["status"], status)
        }
    }

    private static func condition(_ type: String, _ status: Bool, reason: String? = nil, message: String? = nil) -> JSONValue {
        .object(omittingNil: ["type": .string(type), "status": status ? "True" : "False", "lastTransitionTime": .string(ClusterState.timestamp()),
                              "reason": reason.map { .string($0) }, "message": message.map { .string($0) }])
    }

    private func run(_ pod: JSONValue, _ run: PodRun) async {
        let spec = pod["spec"] ?? .object([:])
        if let message = options.unschedulable {
            await setStatus(run) { status in
                status.set(["phase"], "Pending")
                status.set(["conditions"], [Self.condition("PodScheduled", false, reason: "Unschedulable", message: message)])
            }
            return
        }
        await state.update(.pods, run.namespace, run.name, uid: run.uid) { pod in
            pod.set(["spec", "nodeName"], "standin-node")
            pod.set(["status", "phase"], "Pending")
            pod.set(["status", "qosClass"], "Burstable")
            pod.set(["status", "conditions"], [Self.condition("PodScheduled", true)])
        }
        guard let volumes = await makeVolumes(spec, run), !isDeleting(run.uid) else { return }

        let initContainers = spec["initContainers"]?.arrayValue ?? []
        let mainContainers = spec["containers"]?.arrayValue ?? []
        if let image = (initContainers + mainContainers).compactMap({ $0["image"]?.stringValue }).first(where: { options.unpullableImages.contains($0) }) {
            for reason in ["ErrImagePull", "ImagePullBackOff"] {
                await setStatus(run) { status in
                    status.set(["containerStatuses"], .array(mainContainers.map { container in
                        ["name": container["name"] ?? "", "image": .string(image), "ready": false, "restartCount": 0,
                         "state": ["waiting": ["reason": .string(reason), "message": .string("Back-off pulling image \"\(image)\": not found")]]]
                    }))
                }
                try? await Task.sleep(for: .milliseconds(300))
            }
            return
        }

        var initStatuses: [JSONValue] = []
        for container in initContainers {
            guard !isDeleting(run.uid) else { return }
            let code = await runContainer(container, volumes: volumes, run: run, waiting: true)
            initStatuses.append(Self.terminatedStatus(container, code: code, reason: code == 0 ? "Completed" : "Error"))
            let statuses = initStatuses
            await setStatus(run) { $0.set(["initContainerStatuses"], .array(statuses)) }
            if code != 0 {
                await setStatus(run) { $0.set(["phase"], "Failed") }
                return
            }
        }
        guard !isDeleting(run.uid) else { return }
        var started: [ContainerProcess] = []
        for container in mainContainers {
            guard let process = await startContainer(container, volumes: volumes, run: run) else { continue }
            containers[run.uid, default: []].append(process)
            started.append(process)
        }
        if isDeleting(run.uid) {
            for process in started { process.kill() }
            return
        }
        let startedAt = ClusterState.timestamp()
        let allStarted = started.count == mainContainers.count
        await setStatus(run) { status in
            status.set(["phase"], .string(allStarted ? "Running" : "Failed"))
            status.set(["podIP"], "127.0.0.1")
            status.set(["hostIP"], "127.0.0.1")
            status.set(["startTime"], .string(startedAt))
            status.set(["conditions"], [Self.condition("PodScheduled", true), Self.condition("Initialized", true),
                                        Self.condition("ContainersReady", true), Self.condition("Ready", true)])
            status.set(["containerStatuses"], .array(mainContainers.map { container in
                ["name": container["name"] ?? "", "image": container["image"] ?? "", "ready": true, "restartCount": 0, "started": true,
                 "state": ["running": ["startedAt": .string(startedAt)]]]
            }))
        }
        var statuses: [JSONValue] = []
        for (container, process) in zip(mainContainers, started) {
            let code = await process.wait()
            let reason = oomKilled.contains(run.uid) ? "OOMKilled" : code == 0 ? "Completed" : "Error"
            statuses.append(Self.terminatedStatus(container, code: code, reason: reason))
        }
        // Gone through a delete: the deletion removes it.
        guard !deleting.contains(run.uid) else { return }
        let final = statuses
        await setStatus(run) { status in
            status.set(["phase"], .string(final.allSatisfy { $0[path: ["state", "terminated", "exitCode"]]?.intValue == 0 } ? "Succeeded" : "Failed"))
            status.set(["containerStatuses"], .array(final))
            status.set(["conditions"], [Self.condition("PodScheduled", true), Self.condition("Initialized", true),
                                        Self.condition("ContainersReady", false, reason: "PodCompleted"), Self.condition("Ready", false, reason: "PodCompleted")])
        }
    }

    private static func terminatedStatus(_ container: JSONValue, code: Int32, reason: String) -> JSONValue {
        ["name": container["name"] ?? "", "image": container["image"] ?? "", "ready": false, "restartCount": 0,
         "state": ["terminated": ["exitCode": .int(Int(code)), "reason": .string(reason), "finishedAt": .string(ClusterState.timestamp())]]]
    }

    /// The directory of each volume; nil while a volume cannot be made (its claim or Secret
    /// does not exist within a minute, or the Pod is being deleted).
    private func makeVolumes(_ spec: JSONValue, _ run: PodRun) async -> [String: URL]? {
        var directories: [String: URL] = [:]
        for volume in spec["volumes"]?.arrayValue ?? [] {
            let name = volume["name"]?.stringValue ?? ""
            let directory = run.directory.appendingPathComponent("volumes/\(name)", isDirectory: true)
            if let claim = volume[path: ["persistentVolumeClaim", "claimName"]]?.stringValue {
                guard await waitFor(.persistentvolumeclaims, run.namespace, claim, run) != nil else { return nil }
                directories[name] = claimDirectory(namespace: run.namespace, claim: claim)
            } else if volume["emptyDir"] != nil {
                try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                directories[name] = directory
            } else if let secretName = volume[path: ["secret", "secretName"]]?.stringValue {
                // The kubelet retries a Secret volume until the Secret exists (FailedMount meanwhile).
                guard let secret = await waitFor(.secrets, run.namespace, secretName, run) else { return nil }
                try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                let mode = volume[path: ["secret", "defaultMode"]]?.intValue ?? 0o644
                for (key, value) in secret["data"]?.objectValue ?? [:] {
                    let file = directory.appendingPathComponent(key)
                    FileManager.default.createFile(atPath: file.path, contents: value.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data(),
                                                   attributes: [.posixPermissions: mode])
                }
                directories[name] = directory
            } else {
                return nil  // a volume type the stand-in does not know: the Pod stays Pending
            }
        }
        return directories
    }

    private func waitFor(_ resource: StandInResource, _ namespace: String, _ name: String, _ run: PodRun) async -> JSONValue? {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, !isDeleting(run.uid) {
            if let object = await state.get(resource, namespace, name) { return object }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    private func runContainer(_ container: JSONValue, volumes: [String: URL], run: PodRun, waiting: Bool) async -> Int32 {
        guard let process = await startContainer(container, volumes: volumes, run: run) else { return 127 }
        containers[run.uid, default: []].append(process)
        let code = await process.wait()
        containers[run.uid]?.removeAll { $0 === process }
        return code
    }

    private func startContainer(_ container: JSONValue, volumes: [String: URL], run: PodRun) async -> ContainerProcess? {
        let name = container["name"]?.stringValue ?? "container"
        let mounts = (container["volumeMounts"]?.arrayValue ?? []).compactMap { mount -> (String, URL)? in
            guard let path = mount["mountPath"]?.stringValue, let directory = volumes[mount["name"]?.stringValue ?? ""] else { return nil }
            return (path, directory)
        }.sorted { $0.0.count > $1.0.count }
        func local(_ text: String) -> String {
            for (path, directory) in mounts where text == path || text.hasPrefix(path + "/") {
                return directory.path + text.dropFirst(path.count)
            }
            return text
        }
        let command = ((container["command"]?.arrayValue ?? []) + (container["args"]?.arrayValue ?? [])).compactMap(\.stringValue).map(local)
        guard let program = command.first, let executable = resolve(program) else {
            await setStatus(run) { status in
                status.set(["phase"], "Failed")
                status.set(["message"], .string("container \(name): executable not found"))
            }
            return nil
        }
        var environment = ["PATH": options.path, "HOSTNAME": run.name]
        for variable in container["env"]?.arrayValue ?? [] {
            if let key = variable["name"]?.stringValue { environment[key] = local(variable["value"]?.stringValue ?? "") }
        }
        let workingDirectory = URL(fileURLWithPath: local(container["workingDir"]?.stringValue ?? "/"), isDirectory: true)
        do {
            return try await ContainerProcess.start(name: name, executable: executable, arguments: Array(command.dropFirst()), environment: environment,
                                              workingDirectory: workingDirectory, logFile: run.directory.appendingPathComponent("\(name).log"))
        } catch {
            return nil
        }
    }

    private func resolve(_ program: String) -> String? {
        if let mapped = options.commands[program] { return mapped }
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in options.path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The container logs of a Pod (for failure messages).
    func logs(of name: String) -> String {
        let pods = root.appendingPathComponent("pods", isDirectory: true)
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: pods.path))?.filter { $0.hasPrefix(name + "-") } ?? []
        return directories.flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: pods.appendingPathComponent(directory).path)) ?? [])
                .filter { $0.hasSuffix(".log") }
                .map { "--- \(directory)/\($0)\n" + ((try? String(contentsOf: pods.appendingPathComponent("\(directory)/\($0)"), encoding: .utf8)) ?? "") }
        }.joined(separator: "\n")
    }
}
