import Foundation

/// The machine a run was measured on, read from /proc and /etc, for the JSON report: figures are
/// only comparable with others from the same kind of machine.
enum MachineInfo {
    static func collect() -> [String: String] {
        var info: [String: String] = ["cpus": String(ProcessInfo.processInfo.activeProcessorCount)]
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            info["cpuModel"] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        info["memoryGiB"] = String(format: "%.1f", Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824)
        if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            info["os"] = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        info["kernel"] = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        // Other work on the machine competes for the same cores; the load says how much.
        info["loadAverageAtEnd"] = CPUTime.loadAverage()
        return info
    }
}
