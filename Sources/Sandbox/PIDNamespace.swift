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
        let candidates = children(of: outerPID) ?? allProcesses().filter { parentPID(of: $0) == outerPID }
        for pid in candidates {
            guard let link = namespaceLink(of: String(pid)), link != own else { continue }
            return PIDNamespace(initPID: pid, link: link)
        }
        return nil
    }

    /// Whether the namespace has a member besides its init: bwrap has set up and started the
    /// program. Reads init's children (one small file) where the kernel lists them.
    func hasProgram() -> Bool {
        if let children = Self.children(of: initPID) {
            return children.contains { Self.namespaceLink(of: String($0)) == link }
        }
        return members().contains { $0 != initPID }
    }

    /// Host PIDs of the processes now in the namespace, init included.
    func members() -> [Int32] {
        Self.allProcesses().filter { Self.namespaceLink(of: String($0)) == link }
    }

    /// The children of single-threaded `pid` (bwrap is), from `/proc/<pid>/task/<pid>/children`;
    /// nil where the kernel does not provide that file (then callers scan all of `/proc`).
    private static func children(of pid: Int32) -> [Int32]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8) else {
            return nil
        }
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
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
