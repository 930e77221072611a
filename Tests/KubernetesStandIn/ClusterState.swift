import Foundation
import KubernetesRuntime

/// The stand-in's storage (etcd and the watch cache): objects by resource and `namespace/name`,
/// one resourceVersion counter for everything, and a bounded log of the changes of each
/// resource, which watches are served from.
///
/// As in the real watch cache, a watch from a version older than the log's oldest entry cannot be
/// served: it gets one in-band `ERROR` event with a 410 `Status` (`reason: Expired`) and ends.
/// ``compact()`` empties the log on purpose (and ends the running watches the same way), which is
/// how the tests make the runtime list again.
actor ClusterState {
    /// One change, as a watch line sends it.
    struct Change: Sendable {
        let version: Int
        let type: String
        let object: JSONValue
        let namespace: String
    }

    /// What a watch stream carries: a change, a bookmark, or the 410 that ends it.
    enum WatchItem: Sendable {
        case change(type: String, object: JSONValue)
        case bookmark(version: Int)
        case expired(message: String)
    }

    private struct Watcher {
        let resource: StandInResource
        let namespace: String
        let selector: LabelSelector
        let continuation: AsyncStream<WatchItem>.Continuation
    }

    private(set) var resourceVersion = 1000
    private var objects: [StandInResource: [String: JSONValue]] = [:]
    private var log: [StandInResource: [Change]] = [:]
    /// Changes up to this version are no longer in the log.
    private var compactedThrough: [StandInResource: Int] = [:]
    private let logCapacity: Int
    private var watchers: [UUID: Watcher] = [:]

    init(logCapacity: Int) {
        self.logCapacity = logCapacity
    }

    private func key(_ namespace: String, _ name: String) -> String { "\(namespace)/\(name)" }

    private func nextVersion() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    // MARK: Reads

    func get(_ resource: StandInResource, _ namespace: String, _ name: String) -> JSONValue? {
        objects[resource]?[key(namespace, name)]
    }

    func list(_ resource: StandInResource, _ namespace: String, _ selector: LabelSelector) -> (items: [JSONValue], version: Int) {
        let items = (objects[resource] ?? [:]).filter { $0.key.hasPrefix(namespace + "/") && selector.matches($0.value.labels) }
            .sorted { $0.key < $1.key }.map(\.value)
        return (items, resourceVersion)
    }

    func all(_ resource: StandInResource) -> [JSONValue] {
        (objects[resource] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    // MARK: Writes

    /// Stores a new object with its server-set fields: uid, resourceVersion, creationTimestamp.
    func create(_ resource: StandInResource, _ namespace: String, _ object: JSONValue) throws(APIStatus) -> JSONValue {
        let name = object.name
        guard objects[resource]?[key(namespace, name)] == nil else { throw .alreadyExists(resource, name) }
        var stored = object
        let version = nextVersion()
        stored.set(["metadata", "namespace"], .string(namespace))
        stored.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
        stored.set(["metadata", "resourceVersion"], .string("\(version)"))
        stored.set(["metadata", "creationTimestamp"], .string(Self.timestamp()))
        objects[resource, default: [:]][key(namespace, name)] = stored
        record(resource, Change(version: version, type: "ADDED", object: stored, namespace: namespace))
        return stored
    }

    /// Applies `change` to a stored object (a new resourceVersion, a MODIFIED event); nil when
    /// it is gone, or when `uid` is given and names another object of the same name.
    @discardableResult
    func update(_ resource: StandInResource, _ namespace: String, _ name: String, uid: String? = nil, _ change: @Sendable (inout JSONValue) -> Void) -> JSONValue? {
        guard var object = objects[resource]?[key(namespace, name)], uid == nil || object.uid == uid else { return nil }
        change(&object)
        let version = nextVersion()
        object.set(["metadata", "resourceVersion"], .string("\(version)"))
        objects[resource]?[key(namespace, name)] = object
        record(resource, Change(version: version, type: "MODIFIED", object: object, namespace: namespace))
        return object
    }

    /// Removes an object for good (a DELETED event); nil when it was not there.
    @discardableResult
    func remove(_ resource: StandInResource, _ namespace: String, _ name: String, uid: String? = nil) -> JSONValue? {
        guard var object = objects[resource]?[key(namespace, name)], uid == nil || object.uid == uid else { return nil }
        objects[resource]?[key(namespace, name)] = nil
        let version = nextVersion()
        object.set(["metadata", "resourceVersion"], .string("\(version)"))
        record(resource, Change(version: version, type: "DELETED", object: object, namespace: namespace))
        return object
    }

    /// Objects whose `ownerReferences` name `uid` (what the garbage collector deletes with it).
    func dependents(of uid: String) -> [(StandInResource, String, String)] {
        var found: [(StandInResource, String, String)] = []
        for (resource, byKey) in objects {
            for object in byKey.values where (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains(where: { $0["uid"]?.stringValue == uid }) {
                found.append((resource, object[path: ["metadata", "namespace"]]?.stringValue ?? "", object.name))
            }
        }
        return found
    }

    // MARK: Watching

    /// The changes after `version` (all current objects as ADDED when `version` is empty or
    /// "0"), then every later change, until the caller stops reading. A version older than the
    /// log reaches gets the 410 and nothing else.
    func watch(_ resource: StandInResource, _ namespace: String, _ selector: LabelSelector, from version: String?) throws(APIStatus) -> (stream: AsyncStream<WatchItem>, id: UUID) {
        let (stream, continuation) = AsyncStream.makeStream(of: WatchItem.self)
        let id = UUID()
        let start = version.flatMap { $0.isEmpty || $0 == "0" ? nil : Int($0) }
        if let text = version, !text.isEmpty, text != "0", start == nil {
            throw .badRequest("invalid resourceVersion \"\(text)\"")
        }
        if let start {
            if start < (compactedThrough[resource] ?? 0) {
                continuation.yield(.expired(message: "too old resource version: \(start) (\(compactedThrough[resource] ?? 0))"))
                continuation.finish()
                return (stream, id)
            }
            for change in log[resource] ?? [] where change.version > start && change.namespace == namespace && selector.matches(change.object.labels) {
                continuation.yield(.change(type: change.type, object: change.object))
            }
        } else {
            for object in list(resource, namespace, selector).items {
                continuation.yield(.change(type: "ADDED", object: object))
            }
        }
        watchers[id] = Watcher(resource: resource, namespace: namespace, selector: selector, continuation: continuation)
        return (stream, id)
    }

    func stopWatching(_ id: UUID) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    /// Tells a watch the current version (a `BOOKMARK`), so it can resume from there.
    func bookmark(_ id: UUID) {
        watchers[id]?.continuation.yield(.bookmark(version: resourceVersion))
    }

    /// Ends every watch (the server is stopping).
    func stopAllWatches() {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers = [:]
    }

    /// Forgets the change log, as a compaction does: every running watch gets the 410 and ends,
    /// and a watch from any version before now gets it too.
    func compact() {
        for resource in StandInResource.allCases {
            log[resource] = []
            compactedThrough[resource] = resourceVersion
        }
        for (id, watcher) in watchers {
            watcher.continuation.yield(.expired(message: "too old resource version: the watch cache was compacted at \(resourceVersion)"))
            watcher.continuation.finish()
            watchers[id] = nil
        }
    }

    var watchCount: Int { watchers.count }

    private func record(_ resource: StandInResource, _ change: Change) {
        var changes = log[resource] ?? []
        changes.append(change)
        if changes.count > logCapacity {
            let dropped = changes.removeFirst()
            compactedThrough[resource] = dropped.version
        }
        log[resource] = changes
        for watcher in watchers.values where watcher.resource == resource && watcher.namespace == change.namespace && watcher.selector.matches(change.object.labels) {
            watcher.continuation.yield(.change(type: change.type, object: change.object))
        }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        date.ISO8601Format()
    }
}
