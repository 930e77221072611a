import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads another process's writable memory through `/proc/<pid>/mem`, for tests that need a
/// secret that exists nowhere else (the agent's channel secret lives only in the control plane
/// and the agent).
///
/// The agent is non-dumpable, so this needs `CAP_SYS_PTRACE` over it: the tests run as root (as
/// CI does). A process without it — a command inside the sandbox — gets nothing, which is the point.
public enum ProcessMemory {
    /// The first `length` bytes after `prefix` in `pid`'s writable mappings, when they are all
    /// in `alphabet`; nil when none is found or the memory cannot be read.
    public static func find(after prefix: String, length: Int, alphabet: Set<UInt8>, in pid: Int32) -> String? {
        guard let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return nil }
        let descriptor = open("/proc/\(pid)/mem", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        let needle = Array(prefix.utf8)
        let chunkSize = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunkSize + needle.count + length)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1].hasPrefix("rw") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16) else { continue }
            var offset = start
            while offset < end {
                // Overlap chunks by the match's length, so a match across a boundary is seen.
                let wanted = Int(min(UInt64(buffer.count), end - offset))
                let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
                guard count > 0 else { break }
                if let found = match(needle, length: length, alphabet: alphabet, in: buffer[..<count]) { return found }
                // The end of the mapping was read (or nothing new would be): a further read would
                // overlap this one and never advance.
                if offset + UInt64(count) >= end || count <= needle.count + length { break }
                offset += UInt64(count - needle.count - length)
            }
        }
        return nil
    }

    /// `memchr` and `memcmp` over the raw bytes: a debug build's generic slice operations take
    /// minutes over the hundreds of megabytes a Swift process maps. (`memmem` is a GNU extension
    /// Swift's Glibc module does not export.)
    private static func match(_ needle: [UInt8], length: Int, alphabet: Set<UInt8>, in bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBytes { raw -> String? in
            guard let base = raw.baseAddress else { return nil }
            var offset = 0
            while offset + needle.count + length <= raw.count {
                guard let candidate = memchr(base + offset, Int32(needle[0]), raw.count - offset) else { return nil }
                let found = UnsafeRawPointer(candidate)
                guard (found - base) + needle.count <= raw.count,
                      needle.withUnsafeBytes({ memcmp(found, $0.baseAddress!, needle.count) }) == 0 else {
                    offset = (found - base) + 1
                    continue
                }
                let valueStart = (found - base) + needle.count
                let valueEnd = valueStart + length
                guard valueEnd <= raw.count else { return nil }
                let value = UnsafeRawBufferPointer(rebasing: raw[valueStart..<valueEnd])
                if value.allSatisfy(alphabet.contains), valueEnd == raw.count || !alphabet.contains(raw[valueEnd]) {
                    return String(decoding: value, as: UTF8.self)
                }
                offset = (found - base) + 1
            }
            return nil
        }
    }
}

extension SandboxProcesses {
    /// The channel secret of the session's agent (64 hex digits after `Bearer ` in its memory):
    /// no environment carries it any more. Needs root (see ``ProcessMemory``).
    public static func agentSecret(of sessionID: String) -> String? {
        guard let pid = agentPID(of: sessionID) else { return nil }
        return ProcessMemory.find(after: "Bearer ", length: 64, alphabet: Set("0123456789abcdef".utf8), in: pid)
    }
}
