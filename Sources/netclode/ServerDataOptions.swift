import ArgumentParser
import ControlPlane

/// The flags `serve` and `doctor` share, so that doctor checks what serve will use: where the
/// data and the database are, and how sandboxes are isolated.
struct ServerDataOptions: ParsableArguments {
    @Option(help: "Data directory: database and session sandboxes (NETCLODE_DATA_DIR; default ./.netclode).")
    var data: String?

    @Option(help: "SQLite database file (NETCLODE_DATABASE; default <data>/netclode.sqlite).")
    var database: String?

    @Option(help: "Sandbox isolation: bwrap, none or auto (NETCLODE_SANDBOX; default auto).")
    var sandbox: String?

    /// These flags (and `listen`, `logLevel` where the command has them) as settings overrides.
    func overrides(listen: String? = nil, logLevel: String? = nil) -> ControlPlaneSettings.Overrides {
        .init(listen: listen, dataDirectory: data, database: database, sandbox: sandbox, logLevel: logLevel)
    }
}
