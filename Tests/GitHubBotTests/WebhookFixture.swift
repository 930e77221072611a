import Foundation
import Testing
import TestSupport

/// GitHub's example payloads (TestSupport's fixtures, copied from octokit/webhooks), edited per
/// test the way a real delivery would differ: the comment's text, the sender, an installation.
struct WebhookFixture {
    var json: [String: Any]

    init(_ name: String) throws {
        json = try WebhookFixtures.object(name + ".json")
    }

    /// Sets a value at a dotted path (`comment.body`), making the objects on the way.
    mutating func set(_ path: String, _ value: Any?) {
        func assign(_ object: [String: Any], _ keys: ArraySlice<String>) -> [String: Any] {
            var object = object
            guard let key = keys.first else { return object }
            if keys.count == 1 {
                object[key] = value ?? NSNull()
            } else {
                object[key] = assign(object[key] as? [String: Any] ?? [:], keys.dropFirst())
            }
            return object
        }
        json = assign(json, ArraySlice(path.split(separator: ".").map(String.init)))
    }

    func with(_ path: String, _ value: Any?) -> WebhookFixture {
        var copy = self
        copy.set(path, value)
        return copy
    }

    var body: Data {
        (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data()
    }
}
