/// The parts of the API's objects the runtime reads. Decoding ignores every other field, so
/// objects from newer servers, with fields this code never heard of, decode all the same.
public struct ObjectMeta: Sendable, Decodable, Equatable {
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    /// Set once a delete was accepted and the object is going (graceful termination, finalizers).
    public var deletionTimestamp: String?
}

public struct ListMeta: Sendable, Decodable, Equatable {
    public var resourceVersion: String?
    public var `continue`: String?
}

/// A Pod, as far as its status tells what became of it.
public struct PodObject: Sendable, Decodable, Equatable {
    public var metadata: ObjectMeta
    public var status: PodStatus?

    public struct PodStatus: Sendable, Decodable, Equatable {
        /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
        public var phase: String?
        /// Set for Pods the node ended: `Evicted`, `DeadlineExceeded`, `Shutdown`, ...
        public var reason: String?
        public var message: String?
        public var conditions: [Condition]?
        public var initContainerStatuses: [ContainerStatus]?
        public var containerStatuses: [ContainerStatus]?
    }

    public struct Condition: Sendable, Decodable, Equatable {
        /// `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`, ...
        public var type: String
        public var status: String
        public var reason: String?
        public var message: String?
    }

    public struct ContainerStatus: Sendable, Decodable, Equatable {
        public var name: String
        public var state: ContainerState?
        public var ready: Bool?
    }

    public struct ContainerState: Sendable, Decodable, Equatable {
        public struct Waiting: Sendable, Decodable, Equatable {
            public var reason: String?
            public var message: String?
        }

        public struct Terminated: Sendable, Decodable, Equatable {
            public var exitCode: Int32
            public var signal: Int32?
            public var reason: String?
            public var message: String?
        }

        public var waiting: Waiting?
        public var terminated: Terminated?
    }
}

public struct PodList: Sendable, Decodable, Equatable {
    public var metadata: ListMeta
    public var items: [PodObject]
}

/// An object created by a POST: what the runtime needs back is its identity.
struct CreatedObject: Decodable {
    var metadata: ObjectMeta
}
