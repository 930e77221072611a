import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Clones a session's repositories into its workspace, several in parallel, reporting each one's
/// progress as ``CloneEvent``s.
///
/// - git authenticates through the credential helper (``CredentialHelperConfiguration``, passed as
///   `git -c ...`), so no token reaches the command line, a remote URL or `.git/config`.
/// - Each clone goes into a hidden staging directory of the workspace first and is moved into
///   place only when git succeeded: a failed clone leaves nothing behind, and the workspace root
///   may already hold unrelated files (as long as none clashes with the repository's).
/// - A directory that already holds a clone of the same repository (agent restart) is not cloned
///   again: `.done` with `Already cloned` (after a `git fetch`, when ``Options/fetchExisting``).
/// - A failure is an `.error` event with git's last meaningful lines, credentials redacted; the
///   other repositories carry on.
public struct RepositoryCloner: Sendable {
    public struct Options: Sendable {
        /// `--filter=blob:none`: history now, file contents when needed.
        public var blobless: Bool
        public var maximumConcurrentClones: Int
        /// At most one `.cloning` event per repository per interval (phase changes and 100% always).
        public var progressInterval: Duration
        /// Run `git fetch origin` in an existing clone.
        public var fetchExisting: Bool
        /// `git`, or a path to it.
        public var gitExecutable: String

        public init(blobless: Bool = false, maximumConcurrentClones: Int = 4, progressInterval: Duration = .milliseconds(250),
                    fetchExisting: Bool = true, gitExecutable: String = "git") {
            self.blobless = blobless
            self.maximumConcurrentClones = maximumConcurrentClones
            self.progressInterval = progressInterval
            self.fetchExisting = fetchExisting
            self.gitExecutable = gitExecutable
        }
    }

    public typealias EventHandler = @Sendable (CloneEvent) async -> Void

    public let workspace: URL
    public let credentials: CredentialHelperConfiguration?
    /// Over the agent's environment, for every git run (e.g. `HOME`).
    public let environment: [String: String]
    public let options: Options
    private let knownSecrets: @Sendable () async -> [String]
    private let logger: Logger

    /// Prefix of the staging directories in the workspace.
    static let stagingPrefix = ".netclode-clone-"

    /// - Parameters:
    ///   - credentials: the helper git uses; nil leaves git's own configuration alone.
    ///   - knownSecrets: the tokens currently held (e.g. `{ await store.secrets }`), redacted from
    ///     any message on top of the token patterns ``SecretRedactor`` knows.
    public init(workspace: URL, credentials: CredentialHelperConfiguration?, environment: [String: String] = [:],
                options: Options = Options(), knownSecrets: @escaping @Sendable () async -> [String] = { [] },
                logger: Logger = Logger(label: "netclode.agent.clone")) {
        self.workspace = workspace
        self.credentials = credentials
        self.environment = environment
        self.options = options
        self.knownSecrets = knownSecrets
        self.logger = logger
    }

    // MARK: Several

    /// Clones `targets` in parallel (at most ``Options/maximumConcurrentClones`` at once); returns
    /// the outcomes in the order of `targets`. Never throws: failures are `.error` events.
    public func cloneAll(_ targets: [CloneTarget], onEvent: @escaping EventHandler) async -> [CloneOutcome] {
        // Two targets for one directory: the later ones fail without touching anything.
        var seen: Set<String> = []
        var duplicates: Set<Int> = []
        for (index, target) in targets.enumerated() {
            let key = ((try? WorkspacePath.lexicalComponents(target.directory)) ?? [target.directory]).joined(separator: "/")
            if !seen.insert(key.lowercased()).inserted { duplicates.insert(index) }
        }
        return await withTaskGroup(of: (Int, CloneOutcome).self) { group in
            var outcomes = [CloneOutcome?](repeating: nil, count: targets.count)
            var next = 0
            func startNext() {
                guard next < targets.count else { return }
                let index = next
                let target = targets[index]
                next += 1
                if duplicates.contains(index) {
                    group.addTask {
                        let message = "another repository of this session already uses \(target.directory.isEmpty ? "the workspace root" : target.directory)"
                        await onEvent(CloneEvent(target: target, kind: .error, message: message))
                        return (index, CloneOutcome(target: target, succeeded: false, message: message))
                    }
                } else {
                    group.addTask { (index, await self.clone(target, onEvent: onEvent)) }
                }
            }
            for _ in 0..<max(1, options.maximumConcurrentClones) { startNext() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                startNext()
            }
            return outcomes.enumerated().map { index, outcome in
                outcome ?? CloneOutcome(target: targets[index], succeeded: false, message: "not cloned")
            }
        }
    }

    // MARK: One

    /// Clones one repository (see the type's documentation). Never throws.
    public func clone(_ target: CloneTarget, onEvent: @escaping EventHandler) async -> CloneOutcome {
        let secrets = await knownSecrets()
        let started = ContinuousClock.now
        func finish(_ kind: CloneEvent.Kind, _ message: String, alreadyCloned: Bool = false) async -> CloneOutcome {
            let message = SecretRedactor.redact(message, knownSecrets: secrets)
            await onEvent(CloneEvent(target: target, kind: kind, message: message))
            let succeeded = kind == .done
            logger.log(level: succeeded ? .info : .warning, "clone finished", metadata: [
                "repo": "\(target.fullName)", "directory": "\(target.directory)", "ok": "\(succeeded)",
                "alreadyCloned": "\(alreadyCloned)", "elapsed": "\(ContinuousClock.now - started)",
                "message": "\(message)",
            ])
            return CloneOutcome(target: target, succeeded: succeeded, alreadyCloned: alreadyCloned, message: message)
        }

        let destination: URL
        do {
            try validate(target)
            try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
            destination = try WorkspacePath.resolvePlannedPath(target.directory, in: workspace)
        } catch {
            return await finish(.error, "\(error)")
        }
        let git = GitCommand(executable: options.gitExecutable, environment: environment)

        // Restart / resume: the repository is already there.
        if FileManager.default.fileExists(atPath: destination.appendingPathComponent(".git").path) {
            let origin = (try? await git.run(["config", "--get", "remote.origin.url"], in: destination.path))
                .flatMap { $0.exitCode == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
            guard let origin, Self.sameRepository(origin, target.url) else {
                let place = target.directory.isEmpty ? "the workspace root" : target.directory
                return await finish(.error, "\(place) already holds a different git repository (\(origin ?? "no origin remote"))")
            }
            var message = "Already cloned"
            if options.fetchExisting {
                do {
                    let fetch = try await git.run(credentialArguments + ["fetch", "--quiet", "origin"], in: destination.path)
                    if fetch.exitCode != 0 {
                        let summary = GitFailureSummary.message(lines: fetch.stderrLines, repository: target.fullName,
                                                                exitCode: fetch.exitCode, knownSecrets: secrets)
                        message += "; fetch failed: \(summary)"
                    }
                } catch {
                    message += "; fetch failed: \(error)"
                }
            }
            return await finish(.done, message, alreadyCloned: true)
        }

        await onEvent(CloneEvent(target: target, kind: .starting, message: "Cloning repository..."))
        removeStaleStaging(for: target)
        let staging = workspace.appendingPathComponent(
            "\(Self.stagingPrefix)\(target.owner)__\(target.name)-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        var arguments = credentialArguments + ["clone", "--progress"]
        if options.blobless { arguments.append("--filter=blob:none") }
        arguments += ["--", target.url, staging.path]

        let throttle = ThrottleBox(interval: options.progressInterval)
        let output: GitCommand.Output
        do {
            output = try await git.run(arguments, in: workspace.path) { progress in
                guard await throttle.admit(progress) else { return }
                await onEvent(CloneEvent(target: target, kind: .cloning(phase: progress.phase, percent: progress.percent),
                                         message: "\(progress.phase): \(progress.percent)%"))
            }
        } catch {
            return await finish(.error, "cannot run git: \(error)")
        }
        if Task.isCancelled {
            return await finish(.error, "clone cancelled")
        }
        guard output.exitCode == 0 else {
            return await finish(.error, GitFailureSummary.message(
                lines: output.stderrLines, repository: target.fullName, exitCode: output.exitCode, knownSecrets: secrets))
        }
        do {
            try Self.place(staging, at: destination)
        } catch {
            return await finish(.error, "\(error)")
        }
        return await finish(.done, target.directory.isEmpty ? "Cloned into the workspace root" : "Cloned into \(target.directory)")
    }

    // MARK: Helpers

    private var credentialArguments: [String] { credentials?.commandLineArguments ?? [] }

    private func validate(_ target: CloneTarget) throws(CloneFailure) {
        guard let components = URLComponents(string: target.url), let scheme = components.scheme?.lowercased(),
              ["https", "http"].contains(scheme), components.host?.isEmpty == false else {
            throw CloneFailure("not an http(s) repository URL: \(target.url)")
        }
        guard components.user == nil, components.password == nil else {
            throw CloneFailure("credentials in the repository URL are refused: \(target.url)")
        }
        guard !target.owner.isEmpty, !target.name.isEmpty,
              !target.owner.contains("/"), !target.name.contains("/") else {
            throw CloneFailure("invalid repository name: \(target.fullName)")
        }
    }

    /// Staging directories of this repository left by an agent that died mid-clone.
    private func removeStaleStaging(for target: CloneTarget) {
        let prefix = "\(Self.stagingPrefix)\(target.owner)__\(target.name)-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: workspace.path) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: workspace.appendingPathComponent(entry))
        }
    }

    /// Moves the finished clone into `destination`: a rename when it does not exist yet, else each
    /// entry into the existing directory (refused, before anything moves, when a name clashes).
    static func place(_ staging: URL, at destination: URL) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if !fileManager.fileExists(atPath: destination.path, isDirectory: &isDirectory) {
            try fileManager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try rename(staging, to: destination)
            return
        }
        guard isDirectory.boolValue else {
            throw CloneFailure("\(destination.lastPathComponent) exists and is not a directory")
        }
        let entries = try fileManager.contentsOfDirectory(atPath: staging.path)
        let clashes = entries.filter { fileManager.fileExists(atPath: destination.appendingPathComponent($0).path) }.sorted()
        guard clashes.isEmpty else {
            throw CloneFailure("the target directory is not empty; these already exist: \(clashes.prefix(5).joined(separator: ", "))")
        }
        for entry in entries {
            try rename(staging.appendingPathComponent(entry), to: destination.appendingPathComponent(entry))
        }
    }

    private static func rename(_ source: URL, to destination: URL) throws {
        guard Foundation.rename(source.path, destination.path) == 0 else {
            let code = errno
            throw CloneFailure("cannot move the clone into place: \(String(cString: strerror(code)))")
        }
    }

    /// Whether two remote URLs name the same repository (case, trailing `/` and `.git` ignored).
    static func sameRepository(_ lhs: String, _ rhs: String) -> Bool {
        func normalized(_ url: String) -> String {
            var text = url.lowercased()
            while text.hasSuffix("/") { text.removeLast() }
            if text.hasSuffix(".git") { text.removeLast(4) }
            return text
        }
        return normalized(lhs) == normalized(rhs)
    }
}

/// A clone that could not be done, with the user-facing reason.
struct CloneFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The throttle of one clone, shared by the progress callbacks.
private actor ThrottleBox {
    private var throttle: ProgressThrottle
    init(interval: Duration) { throttle = ProgressThrottle(interval: interval) }
    func admit(_ progress: CloneProgress) -> Bool { throttle.admit(progress) }
}
