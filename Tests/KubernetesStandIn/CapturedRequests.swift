import Foundation
import Synchronization

/// Every request the stand-in received, and each request body as a file (for
/// `kubernetes-validate`, run once over all of them, and the token scan).
public final class CapturedRequests: Sendable {
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let query: String
        public let body: Data?
        /// Where ``body`` was written, if there was one.
        public let file: URL?
    }

    public let directory: URL
    private let requests = Mutex<[Request]>([])

    init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    public var all: [Request] { requests.withLock { $0 } }

    func record(method: String, path: String, query: String, body: Data?) {
        requests.withLock { requests in
            var file: URL?
            if let body, !body.isEmpty {
                let resource = path.split(separator: "/").last.map(String.init) ?? "root"
                let url = directory.appendingPathComponent(String(format: "%04d-%@-%@.json", requests.count, method, resource))
                try? body.write(to: url)
                file = url
            }
            requests.append(Request(method: method, path: path, query: query, body: body, file: file))
        }
    }
}
