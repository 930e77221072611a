/// The API's `Status` object: the body of every error answer (`status: Failure`, with the HTTP
/// status repeated in `code`), of some successful deletes (`status: Success`), and the object
/// of a watch's `ERROR` event (a too-old resourceVersion: `code` 410).
public struct KubernetesStatus: Sendable, Decodable, Equatable {
    public struct Details: Sendable, Decodable, Equatable {
        public struct Cause: Sendable, Decodable, Equatable {
            public var reason: String?
            public var message: String?
            public var field: String?
        }

        public var name: String?
        public var group: String?
        public var kind: String?
        public var causes: [Cause]?
    }

    public var kind: String?
    public var status: String?
    public var message: String?
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, `Expired`, `Gone`, ...
    public var reason: String?
    public var details: Details?
    public var code: Int?
}
