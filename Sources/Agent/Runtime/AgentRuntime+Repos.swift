import Foundation
import Logging
import NetclodeProto
import SwiftProtobuf

/// `RepoUpdate`: repositories added to or removed from a running session (`UpdateRepos`).
extension AgentRuntime {
    /// Deletes the clones the control plane asked to delete, then clones the repositories not
    /// cloned yet (after any clone still in progress), reporting `repo_clone` events as the first
    /// clones do. Acknowledged once the deletions are done and the clones have started; a clone
    /// that fails later is an `error` event like any other.
    ///
    /// The credentials covering the new set arrived just before this command, so git can fetch
    /// the added repositories, and the removed ones are unreachable already.
    func apply(_ update: Netclode_V1_RepoUpdate, commandID: String) async {
        var failures: [String] = []
        for directory in update.deleteDirectories {
            guard !directory.isEmpty else {
                failures.append("the workspace root is not deleted")
                continue
            }
            do {
                let clone = try WorkspacePath.resolvePlannedPath(directory, in: workspace)
                if FileManager.default.fileExists(atPath: clone.path) { try FileManager.default.removeItem(at: clone) }
            } catch {
                failures.append("could not delete \(directory): \(error)")
            }
        }
        let known = Set(targets.map(\.url))
        if config == nil { config = Netclode_V1_AgentConfig() }
        config?.repos = update.repos
        let added = targets.filter { !known.contains($0.url) }
        if targets.contains(where: { $0.directory.isEmpty }) {
            // The repository in the workspace root would list the others' directories as untracked.
            excludeFromRootRepository(added.map(\.directory))
        }
        if !added.isEmpty {
            let previous = cloning
            let cloner = self.cloner
            cloning = Task {
                await previous?.value
                _ = await cloner.cloneAll(added) { event in
                    await self.report(.event(Netclode_V1_AgentEvent(event)))
                }
            }
        }
        report(.ack(.with {
            $0.commandID = commandID
            $0.ok = failures.isEmpty
            $0.error = failures.joined(separator: "; ")
        }))
    }

    /// Adds `directories` to `.git/info/exclude` of the clone in the workspace root.
    private func excludeFromRootRepository(_ directories: [String]) {
        let exclude = workspace.appendingPathComponent(".git/info/exclude")
        guard !directories.isEmpty, FileManager.default.fileExists(atPath: workspace.appendingPathComponent(".git").path) else { return }
        var lines = (try? String(contentsOf: exclude, encoding: .utf8)) ?? ""
        let present = Set(lines.split(separator: "\n").map(String.init))
        for directory in directories where !present.contains("/\(directory)/") {
            if !lines.isEmpty && !lines.hasSuffix("\n") { lines += "\n" }
            lines += "/\(directory)/\n"
        }
        do {
            try FileManager.default.createDirectory(at: exclude.deletingLastPathComponent(), withIntermediateDirectories: true)
            try lines.write(to: exclude, atomically: true, encoding: .utf8)
        } catch {
            logger.warning("could not update \(exclude.path): \(error)")
        }
    }
}
