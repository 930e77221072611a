import Foundation

/// The JSON text both stores keep in their JSON columns (repositories, clone status, the agent
/// command, the push policy). Sorted keys keep the stored text stable for equal values.
enum StoredJSON {
    static func encode<T: Encodable>(_ value: T) throws(StorageError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .corrupt("cannot encode \(T.self) as JSON: \(error)")
        }
    }

    static func decode<T: Decodable>(_ text: String, as type: T.Type, column: String) throws(StorageError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw .corrupt("column \(column) is not valid JSON for \(T.self): \(error)")
        }
    }
}
