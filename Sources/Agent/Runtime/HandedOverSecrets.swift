import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The secrets the sandbox runtime hands the agent on a descriptor (its standard input) instead
/// of in the environment: `NAME=value` lines up to end of file. The environment names the
/// descriptor (`NETCLODE_AGENT_SECRET_FD=0`).
///
/// Why not the environment: bubblewrap's init (PID 1 of the sandbox) keeps the environment it was
/// given for the sandbox's whole life, and every command the agent runs could read it through
/// `/proc/1/environ`. A pipe is empty once read.
enum HandedOverSecrets {
    /// More than the runtime ever sends; a descriptor that keeps delivering is not a handover.
    static let maximumSize = 64 * 1024

    /// Reads `descriptor` to its end, then points it at `/dev/null`, so the number stays taken
    /// (standard input must not be handed to the next `open`) and nothing the agent starts can
    /// inherit the pipe.
    static func receive(from descriptor: Int32, variable: String) throws(AgentError) -> [String: String] {
        let bytes = try readToEnd(descriptor, variable: variable, source: "descriptor \(descriptor)")
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if null >= 0 {
            if null != descriptor {
                _ = dup2(null, descriptor)
                _ = close(null)
            }
        } else {
            _ = close(descriptor)
        }
        return parse(bytes)
    }

    /// The same `NAME=value` lines from a file, which is deleted once read: a Pod cannot hand
    /// its agent a descriptor, so the Kubernetes runtime's init container copies the secret from
    /// the Pod's Secret volume (which this container does not mount) into a memory volume, and
    /// once the agent has deleted it there, nothing the agent runs can find it.
    ///
    /// A file that cannot be deleted fails the start: the secret would stay readable to every
    /// command the agent runs.
    static func receive(fromFile path: String, variable: String) throws(AgentError) -> [String: String] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .invalidSetting(variable, "names \(path), which cannot be opened: \(String(cString: strerror(errno)))")
        }
        let bytes: [UInt8]
        do {
            bytes = try readToEnd(descriptor, variable: variable, source: path)
            _ = close(descriptor)
        } catch {
            _ = close(descriptor)
            throw error
        }
        guard unlink(path) == 0 else {
            throw .invalidSetting(variable, "names \(path), which cannot be deleted after reading (\(String(cString: strerror(errno)))), "
                + "so the commands the agent runs could read the secret; hand it over on a writable volume")
        }
        return parse(bytes)
    }

    private static func readToEnd(_ descriptor: Int32, variable: String, source: String) throws(AgentError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .invalidSetting(variable, "names \(source), which cannot be read: \(String(cString: strerror(errno)))")
            }
            bytes += buffer[..<count]
            guard bytes.count <= maximumSize else {
                throw .invalidSetting(variable, "names \(source), which delivered more than \(maximumSize) bytes")
            }
        }
        return bytes
    }

    private static func parse(_ bytes: [UInt8]) -> [String: String] {
        var values: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }
}
