import Crypto
import Foundation
import NIOCore

/// The web UI's files (HTML, CSS, JavaScript modules), read once at start from the package's
/// resources and served from memory, each with its content type and a strong ETag.
///
/// There is no build step: what is in `Sources/WebUI/Web` is what browsers get.
public struct WebAssets: Sendable {
    public struct Asset: Sendable {
        public let body: ByteBuffer
        public let contentType: String
        /// A quoted hash of the content: changes exactly when the file does.
        public let etag: String
    }

    public let assets: [String: Asset]

    public subscript(name: String) -> Asset? { assets[name] }

    /// Reads every file of `directory` (not recursive: the UI is flat).
    public init(directory: URL) throws {
        var assets: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            guard let type = Self.contentTypes[URL(fileURLWithPath: name).pathExtension] else { continue }
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            assets[name] = Asset(body: ByteBuffer(bytes: data), contentType: type, etag: "\"\(digest)\"")
        }
        self.assets = assets
    }

    /// The files shipped with this binary: SwiftPM copies `Web` into `netclode_WebUI.resources`
    /// beside the executable (`.build/debug/netclode`, `swift run`). Looked up by hand rather than
    /// through `Bundle.module`, whose accessor ends the process when the directory is missing.
    public static func bundled() throws -> WebAssets {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let candidates = [
            executable.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ].map { $0.appendingPathComponent("netclode_WebUI.resources/Web", isDirectory: true) }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("index.html").path) {
            return try WebAssets(directory: candidate)
        }
        throw WebAssetsMissing(searched: candidates.map(\.path))
    }

    static let contentTypes = [
        "html": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml",
    ]
}

/// The UI's files are not next to the binary (a binary copied without its resources directory).
public struct WebAssetsMissing: Error, CustomStringConvertible {
    public let searched: [String]
    public var description: String {
        "web UI files not found (looked in \(searched.joined(separator: ", "))): copy netclode_WebUI.resources next to the netclode binary"
    }
}
