import ArgumentParser
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// `netclode session run <id> "prompt"`: runs the session's agent command on a prompt.
struct SessionRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the coding agent on a prompt in a session and stream its output.",
        discussion: """
            The server runs its agent command (NETCLODE_AGENT_COMMAND, or the session's own) in the \
            session's workspace with the prompt. The agent's stdout and stderr are printed as they \
            come; the run's start and end (exit code, duration, branches pushed) go to stderr. The \
            CLI exits with the agent's exit code (130 when the run was cancelled). One run at a \
            time per session: with --queue this prompt waits for the current run, otherwise it is \
            refused. Ctrl-C stops following; the run goes on (cancel it with `session cancel`).

            Example:
              netclode session run 3f2a9c0d1e "fix the failing test and push a branch"
              netclode session run 3f2a9c0d1e --queue --timeout 600 "update the changelog"
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @Argument(help: "What the agent should do.")
    var prompt: String

    @Flag(help: "Wait for the session's current run to end instead of failing.")
    var queue = false

    @Option(help: ArgumentHelp("Stop the run after this many seconds (server default: NETCLODE_RUN_TIMEOUT).", valueName: "seconds"))
    var timeout: Int32?

    func validate() throws {
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        if prompt.allSatisfy(\.isWhitespace) { throw ValidationError("the prompt is empty: say what the agent should do") }
    }

    func run() async throws {
        var exitCode: Int32 = 0
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let sessionID = try await sessions.resolve(id)
            exitCode = try await Self.run(prompt, in: sessionID, queue: queue, timeout: timeout ?? 0, sessions: sessions, json: client.json)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Starts the run and follows it to its end; the agent's exit code.
    static func run(_ prompt: String, in sessionID: String, queue: Bool, timeout: Int32, sessions: SessionClient, json: Bool) async throws -> Int32 {
        let request = Netclode_V1_RunPromptRequest.with {
            $0.sessionID = sessionID
            $0.prompt = prompt
            $0.queue = queue
            $0.timeoutSeconds = timeout
        }
        return try await RunPrinter(json: json).follow(sessions.runPrompt(request))
    }
}

/// `netclode session cancel <id>`: stops the session's current run.
struct SessionCancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a session's current run.",
        discussion: """
            The agent's process group gets SIGTERM, then SIGKILL after a grace period; the run ends \
            with status cancelled and the session stays usable.

            Example:
              netclode session cancel 3f2a9c0d1e
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @Option(help: ArgumentHelp("Only cancel if this is the run in progress.", valueName: "run-id"))
    var run: String?

    func run() async throws {
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let response = try await sessions.cancelRun(try await sessions.resolve(id), runID: run ?? "")
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.line("Cancelling \(response.runID)")
            }
        }
    }
}
