/// Where a database's schema stands against what this build expects, read without changing
/// anything (`netclode doctor`): no file is created, no migration applied, no lock taken.
///
/// `netclode serve` migrates on start, so a database that is behind (or not made yet) is what a
/// first start or an upgrade looks like; one that is *ahead* was written by a newer build, which
/// this one refuses to open (``StorageError/unsupportedSchema(_:)``).
public struct SchemaStatus: Sendable, Equatable {
    /// The SQLite file's path, or the PostgreSQL URL without its password.
    public let location: String
    /// The versions recorded in `schema_migrations`, ascending (empty: no schema yet).
    public let recorded: [Int]
    /// The versions this build knows, ascending: not always contiguous (PostgreSQL's start at 1
    /// with SQLite's first four in one, and skip numbers that are SQLite-only).
    public let known: [Int]

    /// The newest version this build knows.
    public var expected: Int { known.last ?? 0 }

    public init(location: String, recorded: [Int], known: [Int]) {
        self.location = location
        self.recorded = recorded.sorted()
        self.known = known.sorted()
    }

    /// Every version this build knows is recorded, and none it does not.
    public var isCurrent: Bool { pending.isEmpty && !isNewer }

    /// Versions this build would apply on start.
    public var pending: [Int] { known.filter { !recorded.contains($0) } }

    /// Written by a newer build: this one cannot use it.
    public var isNewer: Bool { (recorded.max() ?? 0) > expected }
}
