import Foundation
import GitHubApp

/// How prompts are run (`RunPrompt`): the operator's agent command, the commands a session may
/// choose instead, the timeouts, and how much output a session's history keeps.
public struct RunSettings: Sendable {
    public static let defaultTimeout = Duration.seconds(30 * 60)
    public static let defaultMaximumTimeout = Duration.seconds(4 * 60 * 60)
    public static let defaultOutputCap = 16 << 20

    /// `NETCLODE_AGENT_COMMAND`; without it `RunPrompt` is refused (unless the session names
    /// an allowed command of its own).
    public var agentCommand: AgentCommandTemplate?
    /// `NETCLODE_AGENT_COMMANDS_ALLOWED`: the commands a session may name in `agentCommand`,
    /// compared exactly. The operator's own command is always allowed.
    public var allowedCommands: [AgentCommandTemplate]
    /// `NETCLODE_RUN_TIMEOUT` (seconds): a run's timeout when the request names none.
    public var defaultTimeout: Duration
    /// `NETCLODE_RUN_MAX_TIMEOUT` (seconds): the most a request may ask for.
    public var maximumTimeout: Duration
    /// `NETCLODE_RUN_OUTPUT_CAP` (bytes): agent output a session's history keeps; beyond it the
    /// oldest output is dropped and an `output_dropped` event says how much.
    public var outputCap: Int
    /// `NETCLODE_AGENT_ENV`: variables of the control plane's own environment (names, comma
    /// separated) handed to the agent command, e.g. `ANTHROPIC_API_KEY` — the sandbox's
    /// environment is otherwise built from scratch. Resolved at start; never printed.
    public var agentEnvironment: [String: String] = [:]

    public init(agentCommand: AgentCommandTemplate? = nil, allowedCommands: [AgentCommandTemplate] = [],
                defaultTimeout: Duration = RunSettings.defaultTimeout, maximumTimeout: Duration = RunSettings.defaultMaximumTimeout,
                outputCap: Int = RunSettings.defaultOutputCap) {
        self.agentCommand = agentCommand
        self.allowedCommands = allowedCommands
        self.defaultTimeout = defaultTimeout
        self.maximumTimeout = maximumTimeout
        self.outputCap = outputCap
    }

    public init(settings: EnvironmentSettings) throws(ControlPlaneError) {
        self.init()
        if let text = settings["NETCLODE_AGENT_COMMAND"], !text.isEmpty {
            agentCommand = try AgentCommandTemplate(json: text, source: "NETCLODE_AGENT_COMMAND")
        }
        if let text = settings["NETCLODE_AGENT_COMMANDS_ALLOWED"], !text.isEmpty {
            guard let data = text.data(using: .utf8), let lists = try? JSONDecoder().decode([[String]].self, from: data) else {
                throw .invalidArgument("NETCLODE_AGENT_COMMANDS_ALLOWED must be a JSON array of commands, each an array of strings, "
                    + "e.g. [[\"claude\", \"-p\", \"{prompt}\"], [\"aider\", \"--message\", \"{prompt}\"]]; got \(text)")
            }
            allowedCommands = try lists.map { (list) throws(ControlPlaneError) in
                try AgentCommandTemplate(list, source: "NETCLODE_AGENT_COMMANDS_ALLOWED")
            }
        }
        maximumTimeout = .seconds(try ControlPlaneSettings.parseCount(
            settings["NETCLODE_RUN_MAX_TIMEOUT"], name: "NETCLODE_RUN_MAX_TIMEOUT", range: 1...(7 * 24 * 3600),
            default: Int(Self.defaultMaximumTimeout.components.seconds)))
        // Unset, the default timeout never exceeds the maximum the operator chose.
        defaultTimeout = .seconds(try ControlPlaneSettings.parseCount(
            settings["NETCLODE_RUN_TIMEOUT"], name: "NETCLODE_RUN_TIMEOUT", range: 1...(7 * 24 * 3600),
            default: Int(min(Self.defaultTimeout, maximumTimeout).components.seconds)))
        guard defaultTimeout <= maximumTimeout else {
            throw .invalidArgument("NETCLODE_RUN_TIMEOUT (\(defaultTimeout.components.seconds) s) is above NETCLODE_RUN_MAX_TIMEOUT (\(maximumTimeout.components.seconds) s)")
        }
        if let names = settings["NETCLODE_AGENT_ENV"] {
            for name in names.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !name.hasPrefix("NETCLODE_"), !name.hasPrefix("GITHUB_APP_") else {
                    throw .invalidArgument("NETCLODE_AGENT_ENV names \"\(name)\", which is not a variable the agent command may get (letters, digits and _; not NETCLODE_* or GITHUB_APP_*)")
                }
                guard let value = settings[name] else {
                    throw .invalidArgument("NETCLODE_AGENT_ENV names \(name), which is not set")
                }
                agentEnvironment[name] = value
            }
        }
        outputCap = try ControlPlaneSettings.parseCount(
            settings["NETCLODE_RUN_OUTPUT_CAP"], name: "NETCLODE_RUN_OUTPUT_CAP", range: (64 << 10)...(1 << 40), default: Self.defaultOutputCap)
    }

    /// Whether a session may use `command` (the operator's own, or one of the allowed ones).
    func allows(_ command: AgentCommandTemplate) -> Bool {
        command == agentCommand || allowedCommands.contains(command)
    }
}
