import Foundation
import Logging
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Tells a fast-forward from a rewrite exactly, before a push reaches GitHub.
///
/// The wire carries no force flag: a force push is an update whose old id is not an ancestor of
/// its new id, and the new commits usually exist only in the push's own pack. GitHub's compare
/// API cannot see them; a local copy of the repository that *receives* the push can. So each
/// repository has a bare mirror here (fetched from GitHub with the session's installation token
/// right before the check). The push's body is fed to `git receive-pack --stateless-rpc` on the
/// mirror, whose `pre-receive` hook records `git merge-base --is-ancestor old new` for each ref and
/// then declines: git's quarantine discards every object the push brought, so the mirror only ever
/// holds what GitHub has. The same step reads the default branch (`ls-remote --symref HEAD`).
///
/// Checks of one repository run one after another (a fetch takes ref locks); different
/// repositories run in parallel.
actor AncestryMirrors {
    private let root: URL
    private let logger: Logger
    private var queues: [String: Task<Void, Never>] = [:]

    init(root: URL, logger: Logger) {
        self.root = root
        self.logger = logger
    }

    /// The repository's default branch, from GitHub (`ls-remote --symref HEAD`); nil when it
    /// could not be learnt.
    func defaultBranch(repository: String, upstream: URL, token: String) async -> String? {
        do {
            return Self.defaultBranch(lsRemote: try await GitInvocation(token: token).run(["ls-remote", "--symref", upstream.absoluteString, "HEAD"]))
        } catch {
            logger.warning("git proxy: could not learn the default branch", metadata: ["repo": "\(repository)", "error": "\(error)"])
            return nil
        }
    }

    /// For each of `refs` updated by the push body in `body`: true when the update is a
    /// fast-forward, false when it rewrites history; missing when the mirror could not tell.
    func fastForward(repository: String, upstream: URL, token: String, body: URL, refs: Set<String>) async -> [String: Bool] {
        let previous = queues[repository]
        let work = Task { () -> [String: Bool] in
            _ = await previous?.value
            return await self.check(repository: repository, upstream: upstream, token: token, body: body, refs: refs)
        }
        let done = Task { _ = await work.value }
        queues[repository] = done
        let verdict = await work.value
        // The last check of a repository leaves no entry behind.
        if queues[repository] == done { queues[repository] = nil }
        return verdict
    }

    private func check(repository: String, upstream: URL, token: String, body: URL, refs: Set<String>) async -> [String: Bool] {
        var verdict: [String: Bool] = [:]
        let git = GitInvocation(token: token)
        do {
            let mirror = try prepare(repository)
            _ = try await git.run(["--git-dir", mirror.path, "fetch", "--quiet", "--prune", "--no-tags", upstream.absoluteString,
                                   "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"])
            let results = mirror.appendingPathComponent("netclode-ancestry-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: results) }
            try await git.receive(into: mirror, body: body, resultsFile: results)
            let text = (try? String(contentsOf: results, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count == 2, refs.contains(String(fields[0])) else { continue }
                switch fields[1] {
                case "ff": verdict[String(fields[0])] = true
                case "nonff": verdict[String(fields[0])] = false
                default: break
                }
            }
        } catch {
            logger.warning("git proxy: could not check a push for fast-forwards", metadata: ["repo": "\(repository)", "error": "\(error)"])
        }
        return verdict
    }

    /// The mirror's directory, created with its declining hook on first use.
    private func prepare(_ repository: String) throws -> URL {
        let directory = root.appendingPathComponent(repository.lowercased().replacingOccurrences(of: "/", with: "__") + ".git", isDirectory: true)
        let hook = directory.appendingPathComponent("hooks/pre-receive")
        if FileManager.default.fileExists(atPath: hook.path) { return directory }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("hooks"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        for (name, contents) in [("HEAD", "ref: refs/heads/main\n"), ("config", Self.config)] {
            try Data(contents.utf8).write(to: directory.appendingPathComponent(name))
        }
        for sub in ["objects/info", "objects/pack", "refs/heads", "refs/tags"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Data(Self.hook.utf8).write(to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: hook.path)
        return directory
    }

    static func defaultBranch(lsRemote: String) -> String? {
        for line in lsRemote.split(separator: "\n") where line.hasPrefix("ref: refs/heads/") && line.hasSuffix("\tHEAD") {
            return String(line.dropFirst("ref: refs/heads/".count).dropLast("\tHEAD".count))
        }
        return nil
    }

    /// A bare repository that accepts what any push may carry (push options, shallow updates) so
    /// that its hook always gets to run.
    static let config = """
        [core]
        \trepositoryformatversion = 0
        \tbare = true
        [receive]
        \tadvertisePushOptions = true
        \tshallowUpdate = true
        [gc]
        \tauto = 0

        """

    static let hook = """
        #!/bin/sh
        # Netclode's git proxy: record whether each update is a fast-forward, then decline, so that
        # git's quarantine discards everything the push brought.
        while read old new ref; do
          if expr "$old" : '0*$' >/dev/null || expr "$new" : '0*$' >/dev/null; then r=none
          elif git merge-base --is-ancestor "$old" "$new" 2>/dev/null; then r=ff
          elif git cat-file -e "$old^{commit}" 2>/dev/null && git cat-file -e "$new^{commit}" 2>/dev/null; then r=nonff
          else r=unknown
          fi
          printf '%s %s\\n' "$ref" "$r" >> "$NETCLODE_ANCESTRY_FILE"
        done
        exit 1

        """
}

/// git run by the control plane against GitHub, authenticated with an installation token that
/// travels in the environment (`GIT_CONFIG_*`), never on the command line, where every local user
/// could read it in `/proc/<pid>/cmdline`.
struct GitInvocation: Sendable {
    let token: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private var environment: [Environment.Key: String] {
        let basic = Data("x-access-token:\(token)".utf8).base64EncodedString()
        return [
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "HOME": "/nonexistent", "LANG": "C",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader", "GIT_CONFIG_VALUE_0": "Authorization: Basic \(basic)",
        ]
    }

    func run(_ arguments: [String]) async throws -> String {
        let result = try await Subprocess.run(
            .name("git"), arguments: Arguments(arguments), environment: .custom(environment),
            output: .string(limit: 4 << 20), error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw Failure(description: "git \(arguments.first ?? "") failed: \(result.standardError.prefix(500))")
        }
        return result.standardOutput
    }

    /// Feeds a push body to the mirror's `receive-pack`; its hook writes to `resultsFile`.
    func receive(into mirror: URL, body: URL, resultsFile: URL) async throws {
        var environment = self.environment
        environment["NETCLODE_ANCESTRY_FILE"] = resultsFile.path
        let input = try FileDescriptor.open(FilePath(body.path), .readOnly)
        _ = try await Subprocess.run(
            .name("git"), arguments: ["receive-pack", "--stateless-rpc", mirror.path], environment: .custom(environment),
            input: .fileDescriptor(input, closeAfterSpawningProcess: true), output: .discarded, error: .discarded)
    }
}
