import Foundation

#if canImport(System)
import System
#else
import SystemPackage
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How a sandbox process gets its secrets (the agent's channel secret): on its standard input,
/// never in its environment.
///
/// An environment is readable through `/proc/<pid>/environ` by every process of the same user
/// that may inspect the owner, and under bubblewrap the PID namespace's init — bwrap itself, PID 1
/// inside — keeps the environment it was given for the sandbox's whole life, readable by every
/// command the agent runs. A pipe is read once and is empty afterwards. So the runtime takes each
/// of ``SandboxSpec/secretVariables`` out of the environment, writes them as `NAME=value` lines
/// into a pipe, closes its own end and hands the read end to the process as its standard input;
/// the environment only says where to look (`NAME_FD=0`). The agent reads the pipe to its end at
/// start-up, then marks itself non-dumpable so that the commands it runs (same user, no
/// capabilities) cannot read its memory or `/proc` files either.
///
/// Standard input, not a descriptor of its own: swift-subprocess closes every descriptor above 2
/// in the child, and bwrap passes its standard input through to the program.
enum SecretHandover {
    /// The payload is written before the process runs, so it must fit in the pipe's buffer
    /// (64 KiB on Linux) or the write would block forever.
    static let maximumSize = 16 * 1024

    /// `environment` without the secret variables (each replaced by `NAME_FD=0`), and the lines
    /// to hand over, sorted by name. A secret variable the spec does not set is simply absent.
    static func split(_ environment: [String: String], secretVariables: Set<String>) throws(SandboxError) -> (environment: [String: String], payload: [UInt8]) {
        var remaining = environment
        var lines = ""
        for name in secretVariables.sorted() {
            guard let value = remaining.removeValue(forKey: name) else { continue }
            guard !value.contains("\n") else {
                throw SandboxError(.invalidSpec, "the value of secret variable \(name) contains a line break, which its handover on standard input cannot carry")
            }
            remaining[name + "_FD"] = "0"
            lines += "\(name)=\(value)\n"
        }
        let payload = Array(lines.utf8)
        guard payload.count <= maximumSize else {
            throw SandboxError(.invalidSpec, "the secret variables \(secretVariables.sorted().joined(separator: ", ")) take \(payload.count) bytes; at most \(maximumSize) can be handed over")
        }
        return (remaining, payload)
    }

    /// A pipe already holding `payload`, its write end closed: the read end (close-on-exec, so
    /// no process spawned concurrently inherits it; the child gets it as its standard input).
    static func makePipe(holding payload: [UInt8]) throws(SandboxError) -> FileDescriptor {
        var ends: [Int32] = [-1, -1]
        // pipe2(O_CLOEXEC) is not visible to Swift; the moment between pipe and fcntl only
        // matters for a process spawned meanwhile that keeps inherited descriptors, and
        // swift-subprocess closes every descriptor above 2 in its children.
        guard pipe(&ends) == 0 else { throw failure("create a pipe", errno) }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        let readEnd = FileDescriptor(rawValue: ends[0])
        let writeEnd = FileDescriptor(rawValue: ends[1])
        do {
            _ = try writeEnd.writeAll(payload)
            try writeEnd.close()
        } catch {
            try? writeEnd.close()
            try? readEnd.close()
            throw SandboxError(.launchFailed, "cannot hand the secrets over to the sandbox: \(error)")
        }
        return readEnd
    }

    private static func failure(_ what: String, _ code: Int32) -> SandboxError {
        SandboxError(.launchFailed, "cannot hand the secrets over to the sandbox: cannot \(what): \(String(cString: strerror(code)))")
    }
}
