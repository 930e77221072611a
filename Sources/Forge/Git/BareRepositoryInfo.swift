import Foundation

/// Facts about a bare repository read straight from disk for repository objects.
enum BareRepositoryInfo {
    /// The branch `HEAD` points at (`main` for repositories `forge init` creates).
    static func defaultBranch(of bare: URL) -> String {
        guard let head = try? String(contentsOf: bare.appendingPathComponent("HEAD"), encoding: .utf8) else { return "main" }
        let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = "ref: refs/heads/"
        return trimmed.hasPrefix(prefix) ? String(trimmed.dropFirst(prefix.count)) : "main"
    }

    /// Approximate size in KB, like GitHub's `size` (object storage).
    static func sizeInKilobytes(of bare: URL) -> Int {
        let objects = bare.appendingPathComponent("objects")
        guard let enumerator = FileManager.default.enumerator(at: objects, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var bytes = 0
        for case let url as URL in enumerator {
            bytes += (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        }
        return bytes / 1024
    }
}
