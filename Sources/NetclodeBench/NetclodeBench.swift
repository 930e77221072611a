import ArgumentParser
import Foundation
import TestSupport

/// `netclode-bench`: the performance targets of docs/benchmarks.md, measured on this machine
/// against real `netclode` processes (the release binary next to this one) on 127.0.0.1.
///
/// Every figure printed is measured in this run; targets are only compared against, never
/// reported in place of a measurement.
@main
struct NetclodeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netclode-bench",
        abstract: "Measure Netclode against its performance targets (build with -c release first).",
        discussion: """
            Scenarios: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).
            Example: swift build -c release && .build/release/netclode-bench --json bench.json
            """
    )

    enum Scenario: String, CaseIterable, ExpressibleByArgument {
        case repoReady = "repo-ready"
        case githubCalls = "github-calls"
        case apiOverhead = "api-overhead"
        case fanOut = "fan-out"
        case accessLatency = "access-latency"
        case memory
        case appendRate = "append-rate"
        case restart
        case runOutput = "run-output"
        case gitProxy = "git-proxy"
        case replicas

        func run(_ context: BenchContext) async throws -> [ResultRow] {
            switch self {
            case .repoReady: return try await RepoReadyScenario(context: context).run()
            case .githubCalls: return try await GitHubCallsScenario(context: context).run()
            case .apiOverhead: return try await APIOverheadScenario(context: context).run()
            case .fanOut: return try await FanOutScenario(context: context).run()
            case .accessLatency: return try await AccessLatencyScenario(context: context).run()
            case .memory: return try await MemoryScenario(context: context).run()
            case .appendRate: return try await AppendRateScenario(context: context).run()
            case .restart: return try await RestartScenario(context: context).run()
            case .runOutput: return try await RunOutputScenario(context: context).run()
            case .gitProxy: return try await GitProxyScenario(context: context).run()
            case .replicas: return try await ReplicasScenario(context: context).run()
            }
        }
    }

    @Option(name: .customLong("scenario"), help: "Run only this scenario (repeatable; default: all).")
    var scenarios: [Scenario] = []

    @Option(help: "Measured/baseline pairs per case in the repeated scenarios (1...50).")
    var repetitions = 5

    @Option(help: "Write the results (with every sample and the machine description) to this JSON file.")
    var json: String?

    @Option(name: .customLong("real-repo"), help: "A real git repository to clone in repo-ready (default: the largest under /opt/swift-packages).")
    var realRepo: String?

    func validate() throws {
        guard (1...50).contains(repetitions) else {
            throw ValidationError("--repetitions must be between 1 and 50, got \(repetitions)")
        }
        if let json {
            let directory = URL(fileURLWithPath: json).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: directory.isEmpty ? "." : directory) else {
                throw ValidationError("--json \(json): cannot write into \(directory)")
            }
        }
        if let realRepo, !RealRepository.isRepository(URL(fileURLWithPath: realRepo)) {
            throw ValidationError("--real-repo \(realRepo): not a git repository")
        }
    }

    func run() async throws {
        do {
            _ = try ForgeProcess.netclodeBinary()
        } catch {
            throw ValidationError("\(error)")
        }
        ChildCleanup.install()
        let context = BenchContext(repetitions: repetitions, realRepository: realRepo)
        let selected = scenarios.isEmpty ? Scenario.allCases : scenarios
        var rows: [ResultRow] = []
        var failed: [String] = []
        let started = ContinuousClock.now
        for scenario in selected {
            benchLog("scenario \(scenario.rawValue)…")
            let scenarioStarted = ContinuousClock.now
            do {
                rows += try await scenario.run(context)
                benchLog("scenario \(scenario.rawValue) took \(ContinuousClock.now - scenarioStarted)")
            } catch {
                benchLog("scenario \(scenario.rawValue) FAILED: \(error)")
                failed.append(scenario.rawValue)
                rows.append(ResultRow(
                    scenario: scenario.rawValue, label: "could not run", unit: "", measured: Summary([]),
                    target: "—", pass: false, note: "\(error)", measuredText: "error", baselineText: "—"))
            }
        }
        print(ResultTable.markdown(rows))
        for row in rows where !row.note.isEmpty {
            print("- \(row.scenario) / \(row.label): \(row.note)")
        }
        benchLog("total \(ContinuousClock.now - started)")
        if let json {
            try ResultTable.writeJSON(rows, to: json, machine: MachineInfo.collect())
            benchLog("wrote \(json)")
        }
        if !failed.isEmpty {
            throw ExitCode.failure
        }
    }
}
