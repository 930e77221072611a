import Foundation

/// Resident memory of processes, read from /proc (Linux), in MB (MiB, as `VmRSS` is in KiB).
enum ProcessMemory {
    /// `VmRSS` of `pid`, or nil when the process is gone.
    static func residentMB(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kib / 1024
    }

    /// PIDs of the running `netclode agent` processes of `sessions`: argv[0] ends in `netclode`,
    /// argv[1] is `agent` (not the `bwrap` wrapper, nor git's credential-helper calls), and the
    /// environment names one of the sessions, so agents of other control planes on the machine
    /// (a test suite running meanwhile) are not counted.
    static func agentPIDs(sessions: Set<String>) -> [Int32] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.count >= 2, arguments[0].hasSuffix("netclode"), arguments[1] == "agent",
                  !arguments.contains("credential"),
                  let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
            else { return false }
            let session = environ.split(separator: 0).lazy
                .map { String(decoding: $0, as: UTF8.self) }
                .first { $0.hasPrefix("NETCLODE_SESSION_ID=") }?
                .dropFirst("NETCLODE_SESSION_ID=".count)
            return session.map { sessions.contains(String($0)) } ?? false
        }
    }
}
