import Foundation
import Logging
import Testing
import TestSupport
@testable import Storage

/// The two ``SessionStore`` implementations; the conformance suites run every case on both.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh, empty store of `kind`, closed (and its database removed) after `body`: a SQLite file
/// in a temporary directory, or a throwaway PostgreSQL cluster (``PostgresServer``; the test fails
/// when PostgreSQL is not installed: `apt-get install postgresql`).
func withStore(
    _ kind: StoreKind,
    logs: LogCapture = LogCapture(),
    _ body: (any SessionStore, TemporaryDirectory) async throws -> Void
) async throws {
    switch kind {
    case .sqlite:
        try await withStore(logs: logs) { store, directory in try await body(store, directory) }
    case .postgres:
        try #require(PostgresServer.isAvailable, "PostgreSQL is not installed (apt-get install postgresql)")
        try await PostgresServer.with { server in
            // A generous deadline: many clusters start at once on a loaded 2-core machine.
            let store = try await PostgresSessionStore.open(url: server.url, logger: logs.logger(), connectDeadline: .seconds(120))
            do {
                try await body(store, server.directory)
                try await store.close()
            } catch {
                try? await store.close()
                throw error
            }
        }
    }
}

/// A fresh SQLite store in a temporary directory, closed and removed after `body`.
func withStore(
    logs: LogCapture = LogCapture(),
    _ body: (SQLiteSessionStore, TemporaryDirectory) async throws -> Void
) async throws {
    try await TemporaryDirectory.with(prefix: "netclode-storage") { directory in
        let store = try await SQLiteSessionStore.open(path: databasePath(in: directory), logger: logs.logger())
        do {
            try await body(store, directory)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    }
}

func databasePath(in directory: TemporaryDirectory) -> String {
    directory.url.appendingPathComponent("netclode.db").path
}

/// A date that is already whole milliseconds, so it round-trips exactly.
func msDate(_ milliseconds: Int64) -> Date {
    Date(timeIntervalSince1970: Double(milliseconds) / 1000)
}

func sampleSession(
    id: String = "s-\(UUID().uuidString.prefix(8))",
    createdAt: Date = msDate(1_700_000_000_123)
) -> SessionRecord {
    SessionRecord(
        id: id,
        name: "Räksmörgås 🦐 — 会话",
        status: "cloning",
        repos: ["https://github.com/acme/api.git", "https://github.com/acme/web.git"],
        repoAccess: "write",
        blobless: true,
        repoStatus: [
            RepoStatusRecord(repo: "https://github.com/acme/api.git", stage: "ready", message: "cloned"),
            RepoStatusRecord(repo: "https://github.com/acme/web.git", stage: "cloning", message: "Receiving objects: 42% \"quoted\"\n"),
        ],
        createdAt: createdAt,
        updatedAt: msDate(1_700_000_001_456),
        error: nil
    )
}

/// The store's file mode bits.
func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
