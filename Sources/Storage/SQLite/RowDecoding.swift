import Foundation
import NIOCore
import SQLiteNIO

/// Typed reads of result columns. A missing column or a value of the wrong type means the file
/// was not written by this schema (or was damaged), so it surfaces as ``StorageError/corrupt(_:)``
/// instead of a crash or a silently defaulted field.
extension SQLiteRow {
    func text(_ name: String) throws(StorageError) -> String {
        guard case .text(let value)? = column(name) else { throw mismatch(name, expected: "text") }
        return value
    }

    func optionalText(_ name: String) throws(StorageError) -> String? {
        switch column(name) {
        case .text(let value)?: return value
        case .null?: return nil
        default: throw mismatch(name, expected: "text or NULL")
        }
    }

    func int64(_ name: String) throws(StorageError) -> Int64 {
        guard case .integer(let value)? = column(name) else { throw mismatch(name, expected: "integer") }
        return Int64(value)
    }

    func bool(_ name: String) throws(StorageError) -> Bool {
        guard let value = column(name)?.bool else { throw mismatch(name, expected: "0 or 1") }
        return value
    }

    func date(_ name: String) throws(StorageError) -> Date {
        Millis.decode(try int64(name))
    }

    /// A BLOB column; a zero-length blob may come back as NULL, which reads as empty.
    func bytes(_ name: String) throws(StorageError) -> [UInt8] {
        switch column(name) {
        case .blob(let buffer)?: return Array(buffer.readableBytesView)
        case .null?: return []
        default: throw mismatch(name, expected: "blob")
        }
    }

    /// A TEXT column holding JSON.
    func json<T: Decodable>(_ name: String, as type: T.Type) throws(StorageError) -> T {
        try StoredJSON.decode(try text(name), as: T.self, column: name)
    }

    private func mismatch(_ name: String, expected: String) -> StorageError {
        .corrupt("column \(name) is \(column(name).map { "\($0)" } ?? "missing"), expected \(expected)")
    }
}

/// JSON text for the array columns, as SQLite binds it.
enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) throws(StorageError) -> SQLiteData {
        .text(try StoredJSON.encode(value))
    }
}
