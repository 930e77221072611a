import ArgumentParser
import ConnectRPC
import NetclodeClient
import NetclodeProto
import SwiftProtobuf

/// `netclode session exec <id> -- <command...>`: runs a command in the session's sandbox.
struct SessionExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a session's sandbox and exit with its exit code.",
        discussion: """
            The command is an argv (no shell; use sh -c for one) run in the session's workspace, or \
            in --workdir relative to it (with several repos each is in owner__repo). On a terminal \
            its stdout and stderr are printed as they come (ExecStream); otherwise, or with \
            --no-stream, once it finished (the server then caps the output and the CLI says when it \
            was cut). --stream forces streaming, e.g. into a pipe.

            Example:
              netclode session exec 3f2a9c0d1e --workdir owner__repo -- git log --oneline
              netclode session exec 3f2a9c0d1e -- sh -c 'make test 2>&1 | tail'
            """
    )

    @OptionGroup var client: ClientOptions

    @Argument(help: "The session id, or its name when exactly one live session has it.")
    var id: String

    @Option(help: ArgumentHelp("Directory relative to the session's workspace, e.g. owner__repo.", valueName: "dir"))
    var workdir: String?

    @Option(help: ArgumentHelp("Stop the command after this many seconds (server default 120).", valueName: "seconds"))
    var timeout: Int32?

    @Flag(inversion: .prefixedNo, help: "Print the output as it comes (default: on a terminal).")
    var stream: Bool?

    @Argument(parsing: .postTerminator, help: ArgumentHelp("The command and its arguments, after --.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError("give the command after --, e.g. netclode session exec \(id) -- git status")
        }
        if let timeout, timeout <= 0 {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
    }

    func run() async throws {
        var exitCode: Int32 = 0
        try await ClientFailure.reporting {
            let sessions = try client.connection().sessionClient()
            let sessionID = try await sessions.resolve(id)
            let request = Netclode_V1_ExecRequest.with {
                $0.sessionID = sessionID
                $0.command = command
                $0.workdir = workdir ?? ""
                $0.timeoutSeconds = timeout ?? 0
            }
            if stream ?? (ClientOutput.stdoutIsTerminal && !client.json) {
                exitCode = try await Self.stream(request, sessions: sessions, json: client.json)
                return
            }
            let response = try await sessions.exec(request)
            if client.json {
                try ClientOutput.json(response)
            } else {
                ClientOutput.write(response.stdout)
                ClientOutput.writeError(response.stderr)
                if response.truncated {
                    ClientOutput.error("netclode: the command's output was truncated at the server's limit")
                }
            }
            guard response.hasExitCode else {
                throw ClientFailure.failed("the server did not report the command's exit code")
            }
            exitCode = response.exitCode
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    /// Prints each chunk as it arrives; the command's exit code.
    private static func stream(_ request: Netclode_V1_ExecRequest, sessions: SessionClient, json: Bool) async throws -> Int32 {
        for try await chunk in sessions.execStream(request) {
            if json { try ClientOutput.json(chunk) }
            if chunk.hasExitCode {
                if chunk.timedOut && !json { ClientOutput.error("netclode: the command timed out") }
                return chunk.exitCode
            }
            guard !json else { continue }
            if chunk.stream == "stderr" { ClientOutput.writeError(chunk.data) } else { ClientOutput.write(chunk.data) }
        }
        throw ClientFailure.failed("the server did not report the command's exit code")
    }
}
