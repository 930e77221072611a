import ControlPlane
import GitHubApp
import Testing

/// The run settings: every form the issue names parses, and each mistake stops the server with
/// the setting's name.
@Suite("Run settings")
struct RunSettingsTests {
    static func parse(_ values: [String: String]) throws(ControlPlaneError) -> RunSettings {
        try RunSettings(settings: EnvironmentSettings(values))
    }

    @Test("{prompt} is replaced in place; without it the prompt goes to standard input")
    func template() throws {
        let inArgument = try AgentCommandTemplate(json: #"["claude", "-p", "{prompt}"]"#, source: "test")
        #expect(inArgument.command(for: "fix it; rm -rf /").arguments == ["claude", "-p", "fix it; rm -rf /"])
        #expect(inArgument.command(for: "x").standardInput == "")
        let onStandardInput = try AgentCommandTemplate(json: #"["my-agent", "--fast"]"#, source: "test")
        #expect(onStandardInput.command(for: "do it") == (["my-agent", "--fast"], "do it"))
        let embedded = try AgentCommandTemplate(json: #"["agent", "--task={prompt}"]"#, source: "test")
        #expect(embedded.command(for: "a b").arguments == ["agent", "--task=a b"])
    }

    @Test("settings: defaults, the allowed list, timeouts, the cap and the agent's environment")
    func settings() throws {
        let defaults = try Self.parse([:])
        #expect(defaults.agentCommand == nil && defaults.allowedCommands.isEmpty)
        #expect(defaults.defaultTimeout == .seconds(1800) && defaults.maximumTimeout == .seconds(14400))
        let set = try Self.parse([
            "NETCLODE_AGENT_COMMAND": #"["claude", "-p", "{prompt}"]"#,
            "NETCLODE_AGENT_COMMANDS_ALLOWED": #"[["aider", "--message", "{prompt}"]]"#,
            "NETCLODE_RUN_MAX_TIMEOUT": "600",
            "NETCLODE_RUN_OUTPUT_CAP": "1048576",
            "NETCLODE_AGENT_ENV": "ANTHROPIC_API_KEY, OTHER",
            "ANTHROPIC_API_KEY": "sk-test", "OTHER": "1",
        ])
        #expect(set.agentCommand?.arguments == ["claude", "-p", "{prompt}"])
        #expect(set.allowedCommands.map(\.arguments) == [["aider", "--message", "{prompt}"]])
        // An unset default never exceeds the maximum.
        #expect(set.defaultTimeout == .seconds(600) && set.maximumTimeout == .seconds(600))
        #expect(set.outputCap == 1 << 20)
        #expect(set.agentEnvironment == ["ANTHROPIC_API_KEY": "sk-test", "OTHER": "1"])
    }

    @Test("each mistake names the setting", arguments: [
        (["NETCLODE_AGENT_COMMAND": "claude -p {prompt}"], "NETCLODE_AGENT_COMMAND must be a JSON array of strings"),
        (["NETCLODE_AGENT_COMMAND": "[]"], "NETCLODE_AGENT_COMMAND must name a program"),
        (["NETCLODE_AGENT_COMMAND": #"["{prompt}"]"#], "NETCLODE_AGENT_COMMAND: the program itself cannot be the prompt"),
        (["NETCLODE_AGENT_COMMANDS_ALLOWED": #"["claude"]"#], "NETCLODE_AGENT_COMMANDS_ALLOWED must be a JSON array of commands"),
        (["NETCLODE_RUN_TIMEOUT": "0"], "NETCLODE_RUN_TIMEOUT must be a whole number"),
        (["NETCLODE_RUN_TIMEOUT": "900", "NETCLODE_RUN_MAX_TIMEOUT": "600"], "NETCLODE_RUN_TIMEOUT (900 s) is above NETCLODE_RUN_MAX_TIMEOUT (600 s)"),
        (["NETCLODE_RUN_OUTPUT_CAP": "10"], "NETCLODE_RUN_OUTPUT_CAP must be a whole number"),
        (["NETCLODE_AGENT_ENV": "MISSING"], "NETCLODE_AGENT_ENV names MISSING, which is not set"),
        (["NETCLODE_AGENT_ENV": "GITHUB_APP_PRIVATE_KEY_B64", "GITHUB_APP_PRIVATE_KEY_B64": "x"], "NETCLODE_AGENT_ENV names \"GITHUB_APP_PRIVATE_KEY_B64\""),
    ])
    func mistakes(values: [String: String], message: String) {
        #expect {
            _ = try Self.parse(values)
        } throws: { error in
            guard let error = error as? ControlPlaneError else { return false }
            return error.message.hasPrefix(message) || error.message.contains(message)
        }
    }
}
