import Foundation

/// A sandbox's PID namespace as seen from the host, found through `/proc`.
///
/// Identified by its `/proc/<pid>/ns/pid` link (`pid:[inode]`), which stays the same for the
/// namespace's lifetime; membership is re-read on every use, so processes started later are
/// included and a recycled PID outside the namespace never is.
struct PIDNamespace: Sendable, Equatable {
    /// Host PID of the namespace's PID 1 (bwrap's inner process).
    var initPID: Int32
    /// The namespace link, e.g. `pid:[4026532179]`.
    var link: String

    /// The namespace created by the `bwrap` process `outerPID`: the one its child lives in, when
    /// that differs from ours. Nil until bwrap has created it.
    static func ofSandbox(launchedAs outerPID: Int32) -> PIDNamespace? {
        guard let own = namespaceLink(of: "self") else { return nil }
        for pid in allProcesses() where parentPID(of: pid) == outerPID {
            guard let link = namespaceLink(of: String(pid)), link != own else { continue }
            return PIDNamespace(initPID: pid, link: link)
        }
        return nil
    }

    /// Host PIDs of the processes now in the namespace, init included.
    func members() -> [Int32] {
        Self.allProcesses().filter { Self.namespaceLink(of: String($0)) == link }
    }

    private static func allProcesses() -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }
    }

    private static func namespaceLink(of process: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(process)/ns/pid")
    }

    /// Field 4 of `/proc/<pid>/stat`; the command name before it may contain spaces and
    /// parentheses, so parsing starts after the last `)`.
    private static func parentPID(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1 else { return nil }
        return Int32(fields[1])
    }
}
