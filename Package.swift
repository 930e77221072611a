// swift-tools-version:6.2
//
// Netclode: a self-hosted control plane for coding-agent sandboxes with scoped GitHub access.
//
// Module map (docs/architecture.md has the picture, the dependencies and the token lifecycle):
//   GitHubApp     – App settings, private key, JWT, REST client with retries, typed errors,
//                   repository references, installation lookup, TokenBroker, GitHubMetrics.
//   ConnectRPC    – the Connect protocol: server routes on Hummingbird, client on async-http-client;
//                   gzip through the system zlib (CZlib), HTTP/1.1 and h2c on one port.
//   NetclodeProto – Swift generated from proto/netclode/v1 (committed; see its README).
//   Storage       – the SessionStore protocol and its SQLite and PostgreSQL implementations.
//   Sandbox       – the SandboxRuntime protocol and its bubblewrap (local) implementation, with the
//                   egress proxy of sandboxes on an isolated network.
//   KubernetesRuntime – the `kubernetes` SandboxRuntime: a Pod per session over the Kubernetes REST
//                   API (async-http-client, no kubectl), in-cluster or kubeconfig credentials.
//   SocketRelay   – byte relays between sockets (swift-nio): the agent's loopback forwarders and the
//                   egress proxy's tunnels. Knows nothing of Netclode.
//   Agent         – the in-sandbox process: clones, credential helper, exec, and its channel
//                   back to the control plane.
//   ControlPlane  – SessionManager, the API services, the agent channel, the server, health,
//                   readiness and /metrics, and `netclode doctor`'s checks (Doctor/). Uses GitHubApp,
//                   ConnectRPC, NetclodeProto, Storage, Sandbox.
//   GitHubBot     – the GitHub bot: webhook receiver, triggers, runs that answer with a branch and a
//                   draft pull request (docs/github-bot.md). Uses ControlPlane, GitHubApp, Storage.
//   Forge         – the local GitHub stand-in (`netclode forge`): REST subset + git smart HTTP +
//                   signed webhook deliveries (docs/forge.md).
//                   No production module knows it exists (reached only through GITHUB_API_URL).
//   netclode      – the command-line entry point (swift-argument-parser): serve, doctor, dev, agent,
//                   forge and the client commands.
//   NetclodeBench – the benchmarks (docs/benchmarks.md), driving real `netclode` processes.
//   (TestSupport, in Tests/, starts those real processes for the tests and the benchmarks.)
// GitHubApp, ConnectRPC, Storage, Sandbox and KubernetesRuntime know nothing of the control plane;
// `netclode serve` picks the runtime (NETCLODE_RUNTIME) and hands it to the control plane.
// Metrics: GitHubApp records through the swift-metrics API only (CoreMetrics); the control plane
// owns a Prometheus registry per server and serves it at /metrics.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

extension Target.Dependency {
    static let asyncHTTPClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")
    static let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
    static let cryptoExtras = Target.Dependency.product(name: "_CryptoExtras", package: "swift-crypto")
    static let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
    static let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
    static let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
    static let nioFoundationCompat = Target.Dependency.product(name: "NIOFoundationCompat", package: "swift-nio")
    static let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
    static let hummingbirdCore = Target.Dependency.product(name: "HummingbirdCore", package: "hummingbird")
    static let hummingbirdHTTP2 = Target.Dependency.product(name: "HummingbirdHTTP2", package: "hummingbird")
    static let hummingbirdTLS = Target.Dependency.product(name: "HummingbirdTLS", package: "hummingbird")
    static let nioHTTPTypes = Target.Dependency.product(name: "NIOHTTPTypes", package: "swift-nio-extras")
    static let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
    static let subprocess = Target.Dependency.product(name: "Subprocess", package: "swift-subprocess")
    static let systemPackage = Target.Dependency.product(name: "SystemPackage", package: "swift-system")
    static let swiftProtobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")
    static let sqliteNIO = Target.Dependency.product(name: "SQLiteNIO", package: "sqlite-nio")
    static let postgresNIO = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")
    static let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
    static let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
    static let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
    static let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
    static let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
    static let coreMetrics = Target.Dependency.product(name: "CoreMetrics", package: "swift-metrics")
    static let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
    static let metricsTestKit = Target.Dependency.product(name: "MetricsTestKit", package: "swift-metrics")
}

let package = Package(
    name: "netclode",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "netclode", targets: ["netclode"]),
        .executable(name: "netclode-bench", targets: ["NetclodeBench"]),
        .library(name: "GitHubApp", targets: ["GitHubApp"]),
        .library(name: "Forge", targets: ["Forge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Already in the graph through async-http-client; named for the Kubernetes client's TLS
        // (the cluster's CA, client certificates) and the stand-in API server's HTTPS.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "GitHubApp",
            dependencies: [.asyncHTTPClient, .crypto, .cryptoExtras, .logging, .nioCore, .nioHTTP1, .nioFoundationCompat, .coreMetrics],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Forge",
            dependencies: [.hummingbird, .httpTypes, .nioCore, .nioHTTP1, .asyncHTTPClient, .crypto, .cryptoExtras, .logging, .subprocess, .systemPackage],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "NetclodeProto",
            dependencies: [.swiftProtobuf],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // The system zlib (Debian: zlib1g-dev), for ConnectRPC's gzip compression.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "ConnectRPC",
            dependencies: [
                "CZlib", .hummingbird, .hummingbirdCore, .hummingbirdHTTP2, .httpTypes, .nioCore, .nioHTTP1, .nioHTTPTypes,
                .asyncHTTPClient, .swiftProtobuf, .logging,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Storage",
            dependencies: [.sqliteNIO, .postgresNIO, .nioCore, .logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SocketRelay",
            dependencies: [.nioCore, .nioPosix],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Sandbox",
            dependencies: ["SocketRelay", .subprocess, .systemPackage, .logging, .nioCore, .nioPosix],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KubernetesRuntime",
            dependencies: ["Sandbox", .asyncHTTPClient, .nioCore, .nioHTTP1, .nioSSL, .nioFoundationCompat, .logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Agent",
            dependencies: ["NetclodeProto", "ConnectRPC", "SocketRelay", .subprocess, .systemPackage, .nioCore, .nioPosix, .logging],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "GitHubApp", "NetclodeProto", "ConnectRPC", "Storage", "Sandbox", "SocketRelay",
                .hummingbird, .httpTypes, .nioCore, .nioHTTP1, .asyncHTTPClient, .subprocess, .systemPackage, .serviceLifecycle, .unixSignals, .logging, .crypto, .swiftProtobuf,
                .coreMetrics, .prometheus,
            ],
            swiftSettings: swiftSettings
        ),
        // The GitHub bot: "@netclode ..." on an issue or pull request → a session, a run, a branch
        // and a draft pull request. Mounted by `serve` and `dev` when GITHUB_WEBHOOK_SECRET is set.
        .target(
            name: "GitHubBot",
            dependencies: [
                "ControlPlane", "GitHubApp", "Storage", "NetclodeProto",
                .hummingbird, .httpTypes, .nioCore, .crypto, .logging, .serviceLifecycle, .swiftProtobuf,
            ],
            swiftSettings: swiftSettings
        ),
        // The web UI: plain HTML, CSS and JavaScript modules (Web/, no build step) served by the
        // control plane at /, with cookie sign-in for browsers. Mounted by `serve` and `dev`.
        .target(
            name: "WebUI",
            dependencies: ["ControlPlane", "ConnectRPC", .hummingbird, .httpTypes, .nioCore, .crypto],
            resources: [.copy("Web")],
            swiftSettings: swiftSettings
        ),
        // The API's client: typed calls, waits and reconnecting watches, for the CLI, the tests
        // and the benchmark. Knows the wire types and Connect, nothing of the server.
        .target(
            name: "NetclodeClient",
            dependencies: ["NetclodeProto", "ConnectRPC", .asyncHTTPClient, .swiftProtobuf],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "netclode",
            dependencies: ["GitHubApp", "Forge", "ControlPlane", "GitHubBot", "KubernetesRuntime", "Sandbox", "Storage", "WebUI", "Agent", "NetclodeProto", "NetclodeClient", "ConnectRPC", .argumentParser, .logging, .swiftProtobuf, .asyncHTTPClient, .nioCore, .nioHTTP1],
            swiftSettings: swiftSettings
        ),
        // Benchmarks (docs/benchmarks.md): drives real `netclode` processes started through the
        // same harness as the end-to-end tests.
        .executableTarget(
            name: "NetclodeBench",
            dependencies: [
                "GitHubApp", "NetclodeProto", "NetclodeClient", "ConnectRPC", "Storage", "TestSupport",
                .asyncHTTPClient, .argumentParser, .logging, .nioCore, .nioHTTP1, .swiftProtobuf,
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [.logging, .subprocess, .systemPackage, .nioCore, .nioPosix, .nioHTTP1],
            path: "Tests/TestSupport",
            // GitHub's example webhook payloads (Fixtures/github-webhooks/README.md), for any suite.
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        // A stand-in Kubernetes API server and kubelet for the Kubernetes runtime's tests: the
        // endpoints the runtime uses, with the API's status codes, Status bodies, resourceVersions
        // and watch semantics; created Pods run as local processes.
        .target(
            name: "KubernetesStandIn",
            dependencies: [
                "TestSupport", "KubernetesRuntime", .hummingbird, .hummingbirdTLS, .httpTypes, .nioCore, .nioSSL, .nioFoundationCompat,
                .logging, .serviceLifecycle, .subprocess, .systemPackage,
            ],
            path: "Tests/KubernetesStandIn",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KubernetesRuntimeTests",
            dependencies: [
                "KubernetesRuntime", "KubernetesStandIn", "Sandbox", "ControlPlane", "GitHubApp", "TestSupport", "netclode", "NetclodeProto",
                "NetclodeClient", "ConnectRPC",
                .asyncHTTPClient, .nioCore, .nioHTTP1, .nioSSL, .logging, .swiftProtobuf,
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GitHubAppTests",
            dependencies: ["GitHubApp", "TestSupport", .crypto, .cryptoExtras, .nioHTTP1],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GitHubBotTests",
            dependencies: [
                "GitHubBot", "GitHubApp", "ControlPlane", "Storage", "TestSupport", "netclode",
                .asyncHTTPClient, .crypto, .nioCore, .nioHTTP1,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ForgeTests",
            dependencies: [
                "GitHubApp", "Forge", "TestSupport", "netclode",
                .asyncHTTPClient, .crypto, .cryptoExtras, .nioCore, .nioHTTP1, .subprocess, .systemPackage,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectRPCTests",
            dependencies: [
                "ConnectRPC", "TestSupport", .hummingbird, .hummingbirdCore, .hummingbirdHTTP2, .asyncHTTPClient, .swiftProtobuf,
                .nioCore, .nioHTTP1, .nioPosix,
            ],
            exclude: ["Proto", "Generated/README.md"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "TestSupport", .postgresNIO],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: ["Sandbox", "SocketRelay", "TestSupport", "netclode", .nioCore, .nioPosix],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: ["Agent", "TestSupport", "netclode", "GitHubApp"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "ControlPlane", "GitHubApp", "NetclodeProto", "NetclodeClient", "ConnectRPC", "Storage", "Sandbox", "TestSupport", "netclode",
                .asyncHTTPClient, .swiftProtobuf, .nioCore, .nioHTTP1, .nioPosix,
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "ControlPlane", "GitHubApp", "NetclodeProto", "NetclodeClient", "ConnectRPC", "TestSupport", "netclode",
                .asyncHTTPClient, .swiftProtobuf, .nioCore, .nioHTTP1,
            ],
            swiftSettings: swiftSettings
        ),
        // The web UI: its HTTP side from Swift, and the page itself in headless Chromium (Python
        // and Selenium, Tests/WebUIBrowser), against real `netclode serve` and `netclode dev`.
        .testTarget(
            name: "WebUITests",
            dependencies: ["TestSupport", "netclode", .asyncHTTPClient, .nioCore, .nioHTTP1],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["TestSupport", "netclode", "NetclodeProto", "NetclodeClient", "ConnectRPC", .swiftProtobuf, .subprocess, .systemPackage],
            swiftSettings: swiftSettings
        ),
        // deploy/: the kustomize base rendered by kubectl and validated against Kubernetes'
        // schemas (PyPI kubernetes-validate), the systemd unit checked by systemd-analyze, and what
        // the Containerfile must agree with. Runs the built `netclode` (probes, doctor).
        .testTarget(
            name: "DeployTests",
            dependencies: ["TestSupport", "netclode"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GitHubAppIntegrationTests",
            dependencies: [
                "GitHubApp", "TestSupport", "netclode",
                .asyncHTTPClient, .crypto, .cryptoExtras, .logging, .nioCore, .nioHTTP1, .coreMetrics, .metricsTestKit,
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
