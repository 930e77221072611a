import Foundation

/// CPU time (user + system) a process has used, from /proc/PID/stat, to tell where the time of a
/// saturated scenario went: the control plane, or this benchmark's own client side.
enum CPUTime {
    /// Clock ticks per second of /proc's counters (`getconf CLK_TCK`, 100 on Linux).
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Seconds of CPU used by `pid` so far (`self` for this process), or nil when it is gone.
    /// With `includingChildren`, the children it has waited for count too (cutime, cstime): the
    /// git processes a benchmark or a forge ran and reaped.
    static func seconds(_ pid: String, includingChildren: Bool = false) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let last = includingChildren ? 14 : 12
        guard fields.count > last else { return nil }
        let ticks = fields[11...last].compactMap { Double($0) }.reduce(0, +)
        return ticks / ticksPerSecond
    }

    /// Seconds the threads of `pid` (`self` for this process) have spent runnable but waiting for
    /// a CPU (the second field of /proc/PID/task/TID/schedstat), summed over its current threads:
    /// high when other work on the machine takes the cores, whatever the process itself needs.
    static func runQueueWait(_ pid: String) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var nanoseconds = 0.0
        for task in tasks {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8) else { continue }
            let fields = text.split(separator: " ")
            if fields.count > 1, let wait = Double(fields[1]) { nanoseconds += wait }
        }
        return nanoseconds / 1e9
    }

    /// The machine's load averages (1, 5, 15 minutes), as /proc/loadavg gives them.
    static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
