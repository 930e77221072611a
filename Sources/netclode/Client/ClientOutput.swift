import Foundation
import SwiftProtobuf

/// Unbuffered writes to stdout and stderr, so lines appear at once even through a pipe
/// (`--follow | grep ...`).
enum ClientOutput {
    /// Whether stdout is a terminal that understands cursor movement.
    static var stdoutIsTerminal: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    static func line(_ text: String) {
        write(text + "\n")
    }

    static func write(_ text: String) {
        writeAll(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Bytes for stderr exactly as given (a command's own stderr).
    static func writeError(_ text: String) {
        writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// One line on stderr (a newline is added unless `text` ends with one).
    static func error(_ text: String) {
        writeError(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// One message as a line of proto3 JSON (empty fields omitted).
    static func json(_ message: some SwiftProtobuf.Message) throws {
        line(try message.jsonString())
    }

    /// Writes every byte, retrying partial writes. When the reader has gone away (`| head`), the
    /// process ends as classic Unix tools do: by SIGPIPE, quietly.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written >= 0 {
                offset += written
            } else if errno == EINTR {
                continue
            } else if errno == EPIPE {
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
                exit(141)
            } else {
                return
            }
        }
    }
}
