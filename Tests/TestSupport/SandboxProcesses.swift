import Foundation

/// The processes of a session's sandbox, found by the `NETCLODE_SESSION_ID` in their environment
/// (tests run as the same user as the control plane, so /proc shows them).
public enum SandboxProcesses {
    public static func environments(of sessionID: String) -> [(pid: Int32, environment: [String])] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
            let variables = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return variables.contains("NETCLODE_SESSION_ID=\(sessionID)") ? (pid, variables) : nil
        }
    }

    public static func pids(of sessionID: String) -> [Int32] {
        environments(of: sessionID).map(\.pid)
    }

    /// The value of `name` in the sandbox's environment, e.g. the agent's secret.
    public static func variable(_ name: String, of sessionID: String) -> String? {
        for (_, environment) in environments(of: sessionID) {
            if let entry = environment.first(where: { $0.hasPrefix(name + "=") }) { return String(entry.dropFirst(name.count + 1)) }
        }
        return nil
    }
}

/// A process of some sandbox, as /proc shows it.
public struct SandboxProcess: Sendable {
    public var pid: Int32
    public var sessionID: String
    public var arguments: [String]
    public var environment: [String]

    /// `netclode agent` itself (not bubblewrap around it, nor a command it runs).
    public var isAgent: Bool {
        arguments.count >= 2 && arguments[0].hasSuffix("netclode") && arguments[1] == "agent"
    }
}

extension SandboxProcesses {
    /// Every process of every sandbox of this user.
    public static func all() -> [SandboxProcess] {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.compactMap { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
            let variables = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let session = variables.first(where: { $0.hasPrefix("NETCLODE_SESSION_ID=") }) else { return nil }
            let arguments = (FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return SandboxProcess(pid: pid, sessionID: String(session.dropFirst("NETCLODE_SESSION_ID=".count)),
                                  arguments: arguments, environment: variables)
        }
    }

    /// The pid of the session's `netclode agent` process, if it runs.
    public static func agentPID(of sessionID: String) -> Int32? {
        all().first { $0.sessionID == sessionID && $0.isAgent }?.pid
    }
}
