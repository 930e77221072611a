/// Errors of a ``SessionStore``.
///
/// Backend errors are flattened into strings so that callers never depend on the database
/// driver's types and a Postgres store can report the same cases.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A session with this id already exists.
    case duplicate(String)
    /// No session with this id exists.
    case notFound(String)
    /// The session's lease is held by another replica (see ``SessionLeases``).
    case notLeaseHolder(String)
    /// A stored value could not be decoded (a column of the wrong type, malformed JSON).
    case corrupt(String)
    /// The database was written by a newer build: it has this schema version, which is unknown here.
    case unsupportedSchema(Int)
    /// The store has been closed.
    case closed
    /// Preparing the database file or its directory failed.
    case file(String)
    /// The database reported an error.
    case database(String)

    public var description: String {
        switch self {
        case .duplicate(let id): "session \(id) already exists"
        case .notFound(let id): "session \(id) not found"
        case .notLeaseHolder(let id): "session \(id) is held by another replica"
        case .corrupt(let detail): "stored data is corrupt: \(detail)"
        case .unsupportedSchema(let version):
            "database schema version \(version) is newer than this build supports"
        case .closed: "the session store is closed"
        case .file(let detail): "cannot prepare the database file: \(detail)"
        case .database(let detail): "database error: \(detail)"
        }
    }
}
