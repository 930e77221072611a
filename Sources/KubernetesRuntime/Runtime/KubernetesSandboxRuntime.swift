import Foundation
import Logging
import Sandbox

/// The `kubernetes` runtime (`NETCLODE_RUNTIME=kubernetes`): each session's sandbox is a Pod
/// running `netclode agent`, with its workspace on a PersistentVolumeClaim (see
/// ``SandboxObjects`` for what is created and how the Pod is hardened), all through the
/// Kubernetes REST API.
///
/// What happens to the Pods comes from the API's own state: the runtime lists its Pods by label,
/// then watches them from that list's resourceVersion (listing again when the server says the
/// version is too old, 410), and maps what it sees (``PodOutcome``) onto ``events``: an image that
/// cannot be pulled, a Pod no node can take, an OOM kill or an eviction is reported with
/// Kubernetes' reason; an agent that exits, with its code.
///
/// Pause deletes the Pod and keeps the claim; resume creates a new Pod on it; remove deletes
/// Pod, Secret and claim. 409 AlreadyExists on a claim is the claim being there already (a
/// resume); on a Pod, an earlier Pod of the session still going, which is deleted and waited for.
/// 404 on a delete is what was wanted. Pods outlive the control plane: shutting down leaves them
/// running, and ``adoptRunning()`` hands them to the next control plane.
public actor KubernetesSandboxRuntime: SandboxRuntime {
    public nonisolated let sandboxesOutliveControlPlane = true
    public nonisolated let events: AsyncStream<SandboxEvent>
    private nonisolated let eventSink: AsyncStream<SandboxEvent>.Continuation
    public nonisolated let settings: KubernetesRuntimeSettings
    private let client: KubernetesClient
    private let logger: Logger
    /// How long each watch request lasts before the server ends it (and the runtime watches again
    /// from the last resourceVersion).
    private let watchTimeoutSeconds: Int

    /// A session this runtime supervises: started here, or adopted.
    private struct Supervision {
        /// The Pod's uid once known (the create's answer, or the adopted Pod's).
        var uid: String?
        var generation: UInt64
        /// Set by ``stop(sessionID:grace:)``: the Pod's end is expected, not reported.
        var stopping = false
        /// What was reported when the Pod ended or failed (once per Pod).
        var ended: SandboxStatus?
    }

    /// The runtime's Pods as the watch last saw them, by session.
    private var pods: [String: PodObject] = [:]
    private var supervised: [String: Supervision] = [:]
    private var nextGeneration: UInt64 = 0
    private var synced = false
    private var syncWaiters: [CheckedContinuation<Void, Never>] = []
    /// Waits for a change of a session's Pod (see ``waitForPodChange(_:upTo:)``).
    private var podWaiters: [String: [UInt64: CheckedContinuation<Void, Never>]] = [:]
    private var nextWaiter: UInt64 = 0
    /// The last error of the list/watch loop, until a list succeeds again.
    private var watchError: (any Error)?
    private var watchTask: Task<Void, Never>?

    /// Connects with `settings.connection` and starts watching the runtime's Pods.
    public init(settings: KubernetesRuntimeSettings, logger: Logger, watchTimeoutSeconds: Int = 240) throws(KubernetesConfigError) {
        self.settings = settings
        self.logger = logger
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.client = try KubernetesClient(connection: settings.connection, logger: logger)
        (events, eventSink) = AsyncStream.makeStream(of: SandboxEvent.self)
        logger.info("Sandboxes run as Pods", metadata: [
            "api": "\(settings.connection.server.absoluteString)", "config": "\(settings.connection.source)",
            "namespace": "\(settings.namespace)", "image": "\(settings.image)",
        ])
    }

    deinit {
        watchTask?.cancel()
        eventSink.finish()
    }

    // MARK: SandboxRuntime

    /// A Pod cannot be created without permission: once a list has been refused (401/403), every
    /// start is refused with the reason until a list succeeds.
    public func checkCanStart() async throws {
        startWatching()
        if let error = watchError as? KubernetesAPIError, error.isDenied {
            throw SandboxError(.launchFailed, "sandbox Pods cannot be created: \(error)")
        }
    }

    public func start(_ spec: SandboxSpec) async throws -> SandboxInfo {
        startWatching()
        let id = spec.sessionID
        try check(spec)
        if let current = supervised[id], current.ended == nil, !current.stopping { throw SandboxError.alreadyRunning(id) }
        var environment = spec.environment
        var lines = ""
        var secretNames: [String] = []
        for name in spec.secretVariables.sorted() {
            guard let value = environment.removeValue(forKey: name) else { continue }
            lines += "\(name)=\(value)\n"
            secretNames.append(name)
        }
        nextGeneration += 1
        let generation = nextGeneration
        supervised[id] = Supervision(generation: generation)
        let name = ObjectNames.pod(id)
        do {
            try await createWorkspaceClaim(id)
            let uid = try await createPod(SandboxObjects.pod(spec, environment: environment, secretVariables: secretNames, settings: settings), sessionID: id)
            if supervised[id]?.generation == generation {
                supervised[id]?.uid = uid
                if let pod = pods[id], pod.metadata.uid == uid { observe(pod) }  // the watch may have seen it first
            }
            try await createAgentSecret(SandboxObjects.agentSecret(sessionID: id, lines: lines, podUID: uid, settings: settings), sessionID: id)
            logger.info("Sandbox Pod created", metadata: ["session_id": "\(id)", "pod": "\(name)", "uid": "\(uid)"])
            return SandboxInfo(sessionID: id, location: "pod \(settings.namespace)/\(name)", isolated: true)
        } catch {
            if supervised[id]?.generation == generation { supervised[id] = nil }
            // Nothing half-made: the Pod (its Secret with it) goes; the workspace stays for a
            // resume (``remove(sessionID:)`` deletes it).
            _ = try? await client.delete(.pods, namespace: settings.namespace, name: name, gracePeriodSeconds: 1)
            _ = try? await client.delete(.secrets, namespace: settings.namespace, name: ObjectNames.agentSecret(id))
            logger.error("Sandbox Pod failed to start", metadata: ["session_id": "\(id)", "error": "\(error)"])
            if let error = error as? SandboxError { throw error }
            throw SandboxError(.launchFailed, "cannot start the sandbox Pod of session \(id): \(error)")
        }
    }

    /// Deletes the Pod (`grace` for the agent to end; at least a second, since 0 would remove
    /// the Pod from the API before its containers stop) and its Secret, and waits until the Pod
    /// is gone, so a resume right after can create it again. The workspace claim stays.
    public func stop(sessionID id: String, grace: Duration) async {
        guard ObjectNames.isValidSessionID(id) else { return }
        supervised[id]?.stopping = true
        let generation = supervised[id]?.generation
        let seconds = max(1, Int(grace.components.seconds) + (grace.components.attoseconds > 0 ? 1 : 0))
        do {
            try await client.delete(.pods, namespace: settings.namespace, name: ObjectNames.pod(id), gracePeriodSeconds: seconds)
            try await client.delete(.secrets, namespace: settings.namespace, name: ObjectNames.agentSecret(id))
            try await waitUntilPodGone(id, timeout: .seconds(seconds) + .seconds(60))
            logger.info("Sandbox Pod deleted", metadata: ["session_id": "\(id)"])
        } catch {
            logger.warning("stopping the sandbox Pod failed", metadata: ["session_id": "\(id)", "error": "\(error)"])
        }
        if supervised[id]?.generation == generation { supervised[id] = nil }
    }

    public func status(sessionID id: String) async -> SandboxStatus {
        guard let supervision = supervised[id] else { return .notRunning }
        return supervision.ended ?? .running
    }

    /// Stops the Pod, then deletes the workspace claim and the Secret (404s are fine: already
    /// gone).
    public func remove(sessionID id: String) async throws {
        guard ObjectNames.isValidSessionID(id) else { throw Self.invalidSessionID(id) }
        await stop(sessionID: id, grace: .seconds(5))
        do {
            try await client.delete(.persistentVolumeClaims, namespace: settings.namespace, name: ObjectNames.workspaceClaim(id))
            try await client.delete(.secrets, namespace: settings.namespace, name: ObjectNames.agentSecret(id))
        } catch {
            throw SandboxError(.filesystem, "cannot delete the workspace of session \(id): \(error)")
        }
        logger.info("Sandbox removed", metadata: ["session_id": "\(id)"])
    }

    /// The Pods that are still live (not ended, not being deleted), once the watch has listed
    /// them; from now on they are supervised as if started here.
    public func adoptRunning() async throws -> [AdoptedSandbox] {
        try await adopt { _ in true }
    }

    public func adoptRunning(sessionIDs: Set<String>) async throws -> [AdoptedSandbox] {
        try await adopt { sessionIDs.contains($0) }
    }

    /// Supervises the live Pods of the sessions `wanted` picks, from the synced watch cache.
    private func adopt(_ wanted: (String) -> Bool) async throws -> [AdoptedSandbox] {
        startWatching()
        try await waitUntilSynced(timeout: .seconds(60))
        var adopted: [AdoptedSandbox] = []
        for (id, pod) in pods.sorted(by: { $0.key < $1.key }) where wanted(id) && pod.metadata.deletionTimestamp == nil && PodOutcome(pod) == .live {
            guard supervised[id] == nil else { continue }
            nextGeneration += 1
            supervised[id] = Supervision(uid: pod.metadata.uid, generation: nextGeneration)
            var annotations: [String: String] = [:]
            for (key, value) in pod.metadata.annotations ?? [:] where key.hasPrefix(ObjectNames.annotationPrefix) {
                annotations[String(key.dropFirst(ObjectNames.annotationPrefix.count))] = value
            }
            let name = pod.metadata.name ?? ObjectNames.pod(id)
            adopted.append(AdoptedSandbox(info: SandboxInfo(sessionID: id, location: "pod \(settings.namespace)/\(name)", isolated: true),
                                          annotations: annotations))
        }
        logger.info("Sandbox Pods adopted", metadata: ["count": "\(adopted.count)"])
        return adopted
    }

    /// Pods outlive the control plane: they are left running. The watch stops.
    public func shutdown(grace: Duration) async {
        let watching = watchTask
        watchTask = nil
        watching?.cancel()
        await watching?.value
        eventSink.finish()
        await client.shutdown()
    }

    // MARK: Creating

    private func check(_ spec: SandboxSpec) throws(SandboxError) {
        let id = spec.sessionID
        guard ObjectNames.isValidSessionID(id) else { throw Self.invalidSessionID(id) }
        if let path = spec.hostExecutable {
            throw SandboxError(.invalidSpec, "the kubernetes runtime runs the image's netclode; it cannot run the host program \(path)")
        }
        guard spec.network == .host else {
            throw SandboxError(.isolatedNetworkUnavailable, "cannot start the sandbox of session \(id) on an isolated network: a Pod uses the cluster's network, fenced by NetworkPolicies")
        }
        for (key, value) in spec.environment {
            guard !key.isEmpty, !key.contains("="), !key.contains("\0"), !value.contains("\0") else {
                throw SandboxError(.invalidSpec, "invalid environment variable \"\(key)\" (empty name, or '=' or NUL in it)")
            }
        }
        for key in spec.annotations.keys where !(ObjectNames.isDNSLabel(key) && key.count <= 40) {
            throw SandboxError(.invalidSpec, "invalid sandbox annotation \"\(key)\": use 1 to 40 lower-case letters, digits and '-'")
        }
    }

    static func invalidSessionID(_ id: String) -> SandboxError {
        SandboxError(.invalidSessionID, "invalid session ID \"\(id)\" for the kubernetes runtime: it names the session's Pod, so use 1 to \(ObjectNames.maximumSessionID) lower-case letters, digits and '-', starting and ending with a letter or digit")
    }

    /// The workspace claim; already there (a resume, or a retried create) is fine.
    private func createWorkspaceClaim(_ id: String) async throws {
        do {
            _ = try await client.create(.persistentVolumeClaims, namespace: settings.namespace, body: SandboxObjects.workspaceClaim(sessionID: id, settings: settings))
        } catch let error as KubernetesAPIError where error.isAlreadyExists {
            logger.debug("workspace claim already there", metadata: ["session_id": "\(id)"])
        }
    }

    /// Creates the Pod and answers its uid. A Pod of the session already there (one being
    /// deleted, or left by a control plane that stopped mid-way) is deleted and waited for first:
    /// it was started with another agent secret.
    private func createPod(_ body: JSONValue, sessionID id: String) async throws -> String {
        let name = ObjectNames.pod(id)
        let data: Data
        do {
            data = try await client.create(.pods, namespace: settings.namespace, body: body)
        } catch let error as KubernetesAPIError where error.isAlreadyExists {
            logger.notice("an earlier Pod of the session is still there; replacing it", metadata: ["session_id": "\(id)", "pod": "\(name)"])
            try await client.delete(.pods, namespace: settings.namespace, name: name, gracePeriodSeconds: 3)
            try await waitUntilPodGone(id, timeout: .seconds(90))
            data = try await client.create(.pods, namespace: settings.namespace, body: body)
        }
        let created = try client.decode(CreatedObject.self, data, request: "POST pods")
        guard let uid = created.metadata.uid, !uid.isEmpty else {
            throw KubernetesAPIError(code: 201, reason: "", message: "the created Pod \(name) has no uid", request: "POST pods")
        }
        return uid
    }

    /// The Secret with the agent's secret, owned by the Pod. One left by an earlier Pod of the
    /// session (its owner's deletion not yet collected) is replaced.
    private func createAgentSecret(_ body: JSONValue, sessionID id: String) async throws {
        do {
            _ = try await client.create(.secrets, namespace: settings.namespace, body: body)
        } catch let error as KubernetesAPIError where error.isAlreadyExists {
            try await client.delete(.secrets, namespace: settings.namespace, name: ObjectNames.agentSecret(id))
            _ = try await client.create(.secrets, namespace: settings.namespace, body: body)
        }
    }

    // MARK: Waiting for Pods to go

    /// Until `GET` of the session's Pod answers 404. Between looks it waits for the watch to
    /// report a change of that Pod, or a second, whichever comes first.
    private func waitUntilPodGone(_ id: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        let name = ObjectNames.pod(id)
        while true {
            do {
                _ = try await client.get(.pods, namespace: settings.namespace, name: name)
            } catch let error as KubernetesAPIError where error.isNotFound {
                return
            }
            guard ContinuousClock.now < deadline else {
                throw KubernetesAPIError(code: 0, reason: "", message: "Pod \(name) is still there after \(timeout)", request: "DELETE pods/\(name)")
            }
            await waitForPodChange(id, upTo: .seconds(1))
        }
    }

    private func waitForPodChange(_ id: String, upTo limit: Duration) async {
        nextWaiter += 1
        let token = nextWaiter
        await withCheckedContinuation { continuation in
            podWaiters[id, default: [:]][token] = continuation
            Task {
                try? await Task.sleep(for: limit)
                self.wakePodWaiter(id, token)
            }
        }
    }

    private func wakePodWaiter(_ id: String, _ token: UInt64) {
        podWaiters[id]?.removeValue(forKey: token)?.resume()
    }

    private func wakePodWaiters(_ id: String) {
        for continuation in (podWaiters.removeValue(forKey: id) ?? [:]).values { continuation.resume() }
    }

    // MARK: Watching

    private func startWatching() {
        guard watchTask == nil else { return }
        watchTask = Task { await self.watchLoop() }
    }

    private func waitUntilSynced(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !synced {
            // Refused credentials or RBAC: waiting will not help.
            if let error = watchError as? KubernetesAPIError, error.isDenied {
                throw SandboxError(.launchFailed, "the sandbox Pods cannot be listed: \(error)")
            }
            guard ContinuousClock.now < deadline else {
                throw SandboxError(.launchFailed, "the sandbox Pods could not be listed within \(timeout): \(watchError.map { "\($0)" } ?? "no answer from the Kubernetes API")")
            }
            await withCheckedContinuation { continuation in
                syncWaiters.append(continuation)
                Task {
                    try? await Task.sleep(for: .seconds(1))
                    self.wakeSyncWaiters()
                }
            }
        }
    }

    private func wakeSyncWaiters() {
        let waiting = syncWaiters
        syncWaiters = []
        for continuation in waiting { continuation.resume() }
    }

    /// List, then watch from the list's resourceVersion for as long as the server keeps the
    /// version; on 410 (too old) list again; on any other failure, back off (0.5 s doubling to
    /// 30 s, with jitter) and list again.
    private func watchLoop() async {
        var backoff = Duration.milliseconds(500)
        while !Task.isCancelled {
            do {
                let list = try await client.list(.pods, namespace: settings.namespace, labelSelector: ObjectNames.sandboxSelector)
                replaceAll(list.items)
                watchError = nil
                synced = true
                wakeSyncWaiters()
                backoff = .milliseconds(500)
                var version = list.metadata.resourceVersion ?? ""
                watching: while !Task.isCancelled {
                    let stream = client.watch(.pods, namespace: settings.namespace, labelSelector: ObjectNames.sandboxSelector,
                                              resourceVersion: version, timeoutSeconds: watchTimeoutSeconds)
                    for try await event in stream {
                        switch event {
                        case .added(let pod), .modified(let pod):
                            observe(pod)
                            version = pod.metadata.resourceVersion ?? version
                        case .deleted(let pod):
                            forget(pod)
                            version = pod.metadata.resourceVersion ?? version
                        case .bookmark(let resourceVersion):
                            if !resourceVersion.isEmpty { version = resourceVersion }
                        case .error(let status) where status.code == 410:
                            logger.info("the Pod watch's resourceVersion expired; listing again", metadata: ["message": "\(status.message ?? "")"])
                            break watching
                        case .error(let status):
                            throw KubernetesAPIError(code: status.code ?? 0, reason: status.reason ?? "", message: status.message ?? "", request: "watch pods")
                        }
                    }
                }
            } catch let error as KubernetesAPIError where error.isExpired {
                logger.info("the Pod watch's resourceVersion expired; listing again")
            } catch {
                if Task.isCancelled { return }
                watchError = error
                wakeSyncWaiters()
                logger.warning("watching the sandbox Pods failed; trying again", metadata: ["error": "\(error)", "in": "\(backoff)"])
                let jitter = Duration.milliseconds(Int.random(in: 0...250))
                try? await Task.sleep(for: backoff + jitter)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }

    /// A fresh list: Pods the cache had that the list lacks were deleted meanwhile.
    private func replaceAll(_ items: [PodObject]) {
        let listed = Set(items.compactMap(\.metadata.uid))
        for pod in pods.values where !listed.contains(pod.metadata.uid ?? "") { forget(pod) }
        for pod in items { observe(pod) }
    }

    /// A Pod was added or changed: cache it, and report what became of a supervised one.
    private func observe(_ pod: PodObject) {
        guard let id = pod.metadata.labels?[ObjectNames.sessionLabel] else { return }
        pods[id] = pod
        wakePodWaiters(id)
        report(pod, of: id)
    }

    /// Reports the end of a supervised session's Pod (once per Pod; nothing for a Pod being
    /// stopped here, or one of an earlier start). True when the Pod is still live.
    @discardableResult
    private func report(_ pod: PodObject, of id: String) -> Bool {
        // Until the create answers with the new Pod's uid, a change may still be the previous
        // Pod's (its deletion reported late): ``start(_:)`` looks at the cache once it knows.
        guard var supervision = supervised[id], !supervision.stopping, supervision.ended == nil,
              let uid = supervision.uid, uid == pod.metadata.uid else { return false }
        defer { supervised[id] = supervision }
        switch PodOutcome(pod) {
        case .live:
            return true
        case .failed(let reason, let message):
            supervision.ended = .failed(reason: reason)
            logger.error("Sandbox Pod failed", metadata: ["session_id": "\(id)", "reason": "\(reason)", "message": "\(message)"])
            eventSink.yield(.failed(sessionID: id, reason: reason, message: message))
        case .exited(let code):
            supervision.ended = .exited(code: code)
            logger.notice("Sandbox Pod's agent exited on its own", metadata: ["session_id": "\(id)", "code": "\(code)"])
            eventSink.yield(.exited(sessionID: id, code: code))
        }
        return false
    }

    /// A Pod was deleted. A supervised one that nobody here stopped is reported: with what its
    /// last status says, else as deleted from outside (a `kubectl delete`, a drain).
    private func forget(_ pod: PodObject) {
        guard let id = pod.metadata.labels?[ObjectNames.sessionLabel] else { return }
        if pods[id]?.metadata.uid == pod.metadata.uid { pods[id] = nil }
        wakePodWaiters(id)
        guard report(pod, of: id) else { return }
        let name = pod.metadata.name ?? ObjectNames.pod(id)
        let message = "Pod \(name) was deleted by something other than netclode (kubectl delete, a node drain, ...)"
        supervised[id]?.ended = .failed(reason: "Deleted")
        logger.error("Sandbox Pod deleted from outside", metadata: ["session_id": "\(id)", "pod": "\(name)"])
        eventSink.yield(.failed(sessionID: id, reason: "Deleted", message: message))
    }
}
