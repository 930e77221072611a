import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Sandbox

/// Whether real bubblewrap can be used on this machine (tests needing it are skipped otherwise).
let bwrapAvailable = BubblewrapLocator.find(searchPath: ProcessInfo.processInfo.environment["PATH"]) != nil

/// A runtime over a fresh temporary data directory, with helpers to run `/bin/sh -c` scripts in
/// sandboxes and wait for what they do.
struct SandboxFixture {
    let root: TemporaryDirectory
    let dataDirectory: URL
    let runtime: LocalSandboxRuntime
    let logs: LogCapture
    let exits: ExitRecorder

    /// Runs `body` with a fixture; stops every sandbox and removes the directory afterwards.
    static func with<T>(
        isolation: IsolationMode = .bwrap,
        hiddenPaths: (TemporaryDirectory) -> [String] = { _ in [] },
        searchPath: String? = ProcessInfo.processInfo.environment["PATH"],
        _ body: (SandboxFixture) async throws -> T
    ) async throws -> T {
        let root = try TemporaryDirectory(prefix: "netclode-sandbox")
        let data = root.url.appendingPathComponent("data", isDirectory: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let logs = LogCapture()
        let runtime = LocalSandboxRuntime(dataDirectory: data, isolation: isolation, hiddenPaths: hiddenPaths(root),
                                          logger: logs.logger(label: "sandbox"), searchPath: searchPath)
        let exits = ExitRecorder()
        let recorder = Task {
            for await event in runtime.events {
                if case .exited(let id, let code) = event { exits.record(id, code) }
            }
        }
        defer { recorder.cancel() }
        let fixture = SandboxFixture(root: root, dataDirectory: data, runtime: runtime, logs: logs, exits: exits)
        do {
            let value = try await body(fixture)
            await runtime.stopAll(grace: .seconds(1))
            root.remove()
            return value
        } catch {
            await runtime.stopAll(grace: .seconds(1))
            root.remove()
            throw error
        }
    }

    /// A spec running `/bin/sh -c script`.
    func shell(_ sessionID: String, _ script: String, environment: [String: String] = [:]) -> SandboxSpec {
        SandboxSpec(sessionID: sessionID, arguments: ["-c", script], environment: environment, hostExecutable: "/bin/sh")
    }

    /// Polls until the session's process has exited on its own; returns its exit code.
    func waitForExit(_ sessionID: String, timeout: Duration = .seconds(90)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if case .exited(let code) = await runtime.status(sessionID: sessionID) {
                return code
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FixtureError("session \(sessionID) did not exit within \(timeout); log:\n\(log(of: sessionID))")
    }

    /// Polls until `file` exists (written from inside a sandbox).
    func waitForFile(_ file: URL, timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: file.path) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FixtureError("\(file.path) did not appear within \(timeout)")
    }

    func read(_ file: URL) throws -> String {
        try String(contentsOf: file, encoding: .utf8)
    }

    func log(of sessionID: String) -> String {
        (try? String(contentsOf: runtime.logFile(of: sessionID), encoding: .utf8)) ?? "(no log)"
    }
}

/// Collects the exits the runtime reports on its events.
final class ExitRecorder: Sendable {
    private let calls = Mutex<[(String, Int32)]>([])

    func record(_ id: String, _ code: Int32) { calls.withLock { $0.append((id, code)) } }

    func codes(for id: String) -> [Int32] { calls.withLock { $0.filter { $0.0 == id }.map(\.1) } }

    /// Polls until an exit of `id` was reported.
    func wait(for id: String, timeout: Duration = .seconds(90)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let code = codes(for: id).first { return code }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FixtureError("no exit of \(id) was reported within \(timeout)")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Host PIDs of processes whose command line contains `marker` (e.g. a unique `sleep` duration).
func hostProcesses(containing marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry),
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
        let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return commandLine.contains(marker) ? pid : nil
    }
}

/// Polls until no process with `marker` in its command line is left.
func waitUntilGone(_ marker: String, timeout: Duration = .seconds(10)) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if hostProcesses(containing: marker).isEmpty { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}
