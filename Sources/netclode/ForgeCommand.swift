import ArgumentParser
import Forge
import Foundation

/// `netclode forge`: the local GitHub stand-in for tests and the offline quickstart.
struct ForgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forge",
        abstract: "The local GitHub stand-in (GitHub App REST subset + git smart HTTP).",
        discussion: """
            `netclode forge` alone seeds a demo forge in ./.netclode-forge on first run and serves it on 127.0.0.1:8790.

            Example: netclode forge init --data /tmp/forge --repo acme/api --repo acme/web && netclode forge serve --data /tmp/forge
            """,
        subcommands: [ForgeInitCommand.self, ForgeServeCommand.self],
        defaultSubcommand: ForgeServeCommand.self
    )
}

extension ForgeCommand {
    /// Prints a forge error as `error: ...` on stderr and exits 1 (no usage dump: the message says
    /// what is wrong).
    static func fail(_ error: ForgeError) -> Never {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        Foundation.exit(1)
    }
}
