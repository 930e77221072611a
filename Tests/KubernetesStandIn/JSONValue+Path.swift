import KubernetesRuntime

/// Editing objects in place, as the stand-in's "controllers" (scheduler, kubelet, GC) do.
extension JSONValue {
    public subscript(path path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// Sets `value` at `path`, making the objects on the way.
    mutating func set(_ path: [String], _ value: JSONValue?) {
        guard let key = path.first else {
            self = value ?? .null
            return
        }
        var object = objectValue ?? [:]
        if path.count == 1 {
            object[key] = value
        } else {
            var child = object[key] ?? .object([:])
            child.set(Array(path.dropFirst()), value)
            object[key] = child
        }
        self = .object(object)
    }

    public var name: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    public var uid: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }
    public var labels: [String: String] { (self[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue) }
}
