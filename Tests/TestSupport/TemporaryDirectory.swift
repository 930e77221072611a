import Foundation

/// A directory under the system temporary directory that is removed when the test is done.
public struct TemporaryDirectory: Sendable {
    public let url: URL

    /// A new directory in `parent` (default: the system temporary directory, `TMPDIR`).
    public init(prefix: String = "netclode-test", in parent: URL = FileManager.default.temporaryDirectory) throws {
        let url = parent
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        self.url = url
    }

    public var path: String { url.path }

    /// Removes the directory and everything below it.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs `body` with a fresh directory and removes it afterwards, whatever `body` does.
    public static func with<T>(prefix: String = "netclode-test", _ body: (TemporaryDirectory) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try await body(directory)
    }
}
