import Foundation
import Hummingbird
import HummingbirdTLS
import KubernetesRuntime
import Logging
import NIOSSL
import ServiceLifecycle
import TestSupport

/// A stand-in Kubernetes cluster for the Kubernetes runtime's tests: an API server on 127.0.0.1
/// (HTTPS with its own CA, bearer-token or client-certificate authentication) serving what the
/// runtime uses (``APIRoutes``), over storage with resourceVersions and a watch cache
/// (``ClusterState``), with Pod Security Admission at `restricted` (``Admission``), and one
/// node whose kubelet runs Pods as local processes (``Kubelet``).
///
/// No kube-apiserver can run here; this one is built from the API's documented behaviour and
/// the recorded answers of real servers (the shared reference's kubernetes-api/). Every request
/// body it receives is kept (``captured``) for `kubernetes-validate` and the token scan.
public final class StandInCluster: Sendable {
    public struct Options: Sendable {
        public var namespace = "netclode"
        /// The bearer token requests must carry (unless a verified client certificate is required).
        public var token = "standin-token-" + UUID().uuidString.lowercased()
        /// Require a client certificate signed by the stand-in's CA (the TLS handshake fails without).
        public var requireClientCertificate = false
        /// Host programs for the image's commands (`netclode` → the built binary).
        public var commands: [String: String] = [:]
        /// How many changes the watch cache keeps per resource (older versions get the 410).
        public var watchCacheSize = 1000
        /// How often a watch that asked for bookmarks gets one.
        public var bookmarkInterval: Duration = .seconds(2)
        /// Access reviews answered `allowed: false`, as "verb resource" (e.g. "create pods").
        public var deniedAccess: Set<String> = []
        /// Requests refused with RBAC's 403, as "verb resource" (`list pods`, `watch pods`,
        /// `create secrets`, ...), as when the Role lacks the rule.
        public var forbidden: Set<String> = []

        public init() {}
    }

    public let options: Options
    public let url: URL
    public let certificates: StandInCertificates
    public let directory: TemporaryDirectory
    public let captured: CapturedRequests
    let state: ClusterState
    let kubelet: Kubelet
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>

    private init(options: Options, url: URL, certificates: StandInCertificates, directory: TemporaryDirectory, captured: CapturedRequests,
                 state: ClusterState, kubelet: Kubelet, group: ServiceGroup, runner: Task<Void, any Error>) {
        self.options = options
        self.url = url
        self.certificates = certificates
        self.directory = directory
        self.captured = captured
        self.state = state
        self.kubelet = kubelet
        self.group = group
        self.runner = runner
    }

    public static func start(_ options: Options = Options()) async throws -> StandInCluster {
        // Short: Unix sockets of the agents (in a Pod's home volume) must fit in 108 bytes.
        let directory = try TemporaryDirectory(prefix: "nck8s")
        do {
            let pki = directory.url.appendingPathComponent("pki", isDirectory: true)
            try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
            let certificates = try await StandInCertificates.make(in: pki)
            let captured = try CapturedRequests(directory: directory.url.appendingPathComponent("requests", isDirectory: true))
            let state = ClusterState(logCapacity: options.watchCacheSize)
            let kubelet = Kubelet(state: state, root: directory.url, options: Kubelet.Options(commands: options.commands))

            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificate.path).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKey.path, format: .pem)))
            if options.requireClientCertificate {
                tls.certificateVerification = .noHostnameVerification
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.caCertificate.path))
            }
            let router = Router(context: BasicRequestContext.self)
            router.add(middleware: Authentication(token: options.token, certificateVerified: options.requireClientCertificate))
            APIRoutes(state: state, kubelet: kubelet, captured: captured, options: options).register(on: router)
            var logger = Logger(label: "standin-apiserver")
            logger.logLevel = .warning
            let (ready, readyContinuation) = AsyncStream.makeStream(of: Int.self)
            let app = Application(
                router: router, server: try .tls(.http1(), tlsConfiguration: tls),
                configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
                onServerRunning: { channel in
                    readyContinuation.yield(channel.localAddress?.port ?? 0)
                    readyContinuation.finish()
                }, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
            let runner = Task { try await group.run() }
            var port = 0
            for await bound in ready {
                port = bound
                break
            }
            guard port > 0 else { throw StandInError("the stand-in API server did not start") }
            return StandInCluster(options: options, url: URL(string: "https://127.0.0.1:\(port)")!, certificates: certificates,
                                  directory: directory, captured: captured, state: state, kubelet: kubelet, group: group, runner: runner)
        } catch {
            directory.remove()
            throw error
        }
    }

    /// Stops the server and kills every Pod's processes; the directory (claims, logs, captured
    /// bodies) stays until ``remove()``.
    public func stop() async {
        await kubelet.shutdown()
        await state.stopAllWatches()
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }

    public func remove() async {
        await stop()
        directory.remove()
    }

    // MARK: What the tests look at and do

    /// A kubeconfig for this cluster in kubectl's layout: the CA as `certificate-authority-data`,
    /// and the bearer token (or, with `clientCertificate`, the client certificate and key as
    /// `-data`).
    public func writeKubeconfig(clientCertificate: Bool = false, to file: URL? = nil) throws -> URL {
        let file = file ?? directory.url.appendingPathComponent("kubeconfig")
        let base64 = { (url: URL) in (try? Data(contentsOf: url).base64EncodedString()) ?? "" }
        let user = clientCertificate
            ? "    client-certificate-data: \(base64(certificates.clientCertificate))\n    client-key-data: \(base64(certificates.clientKey))\n"
            : "    token: \(options.token)\n"
        let text = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(base64(certificates.caCertificate))
                server: \(url.absoluteString)
              name: standin
            contexts:
            - context:
                cluster: standin
                namespace: \(options.namespace)
                user: netclode
              name: standin
            current-context: standin
            kind: Config
            preferences: {}
            users:
            - name: netclode
              user:
            \(user)
            """
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// What the cluster stored and ran: claims (workspaces), Pods' volumes and logs, captured
    /// request bodies. Not `pki/`, the stand-in's own CA and keys.
    public var dataDirectories: [URL] {
        ["claims", "pods", "requests"].map { directory.url.appendingPathComponent($0, isDirectory: true) }
    }

    public func objects(_ resource: StandInResource) async -> [JSONValue] {
        await state.all(resource)
    }

    public func object(_ resource: StandInResource, named name: String) async -> JSONValue? {
        await state.get(resource, options.namespace, name)
    }

    /// Empties the watch cache: running watches get the in-band 410 and end; the runtime must
    /// list again.
    public func compactWatchCache() async {
        await state.compact()
    }

    /// SIGKILLs the Pod's containers, reported as `OOMKilled`. False if it runs no container.
    public func oomKill(pod name: String) async -> Bool {
        await kubelet.oomKill(namespace: options.namespace, name: name)
    }

    /// Deletes a Pod as `kubectl delete pod` does (30 s grace unless the Pod says otherwise).
    public func deletePod(_ name: String) async throws {
        let grace = await state.get(.pods, options.namespace, name)?[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
        guard await kubelet.delete(namespace: options.namespace, name: name, grace: grace) != nil else { throw StandInError("no Pod \(name)") }
    }

    /// Images whose pull fails from now on.
    public func failPulls(of image: String) async {
        await kubelet.setOptions { $0.unpullableImages.insert(image) }
    }

    /// From now on (nil: no longer) no Pod can be scheduled.
    public func setUnschedulable(_ message: String?) async {
        await kubelet.setOptions { $0.unschedulable = message }
    }

    /// The directory behind a claim (its files are the workspace).
    public func claimDirectory(_ claim: String) async -> URL {
        await kubelet.claimDirectory(namespace: options.namespace, claim: claim)
    }

    /// The containers' output of the Pods named `name` (all its incarnations).
    public func containerLogs(of name: String) async -> String {
        await kubelet.logs(of: name)
    }

    /// Watches open now.
    public var openWatches: Int {
        get async { await state.watchCount }
    }
}
