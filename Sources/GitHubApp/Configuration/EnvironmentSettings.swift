import Foundation

/// Settings read from the process environment, falling back to a `.env` file.
///
/// The environment wins over the file, so a variable exported in the shell always overrides what a
/// checked-out `.env` says. Empty values count as unset: `GITHUB_APP_ID=` in a template file must not
/// look configured.
public struct EnvironmentSettings: Sendable {
    private let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The process environment layered over `.env` in `directory` (the working directory by default).
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        dotEnvDirectory directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> EnvironmentSettings {
        let file = directory.appendingPathComponent(".env")
        let fromFile = (try? String(contentsOf: file, encoding: .utf8)).map(DotEnvParser.parse) ?? [:]
        return EnvironmentSettings(fromFile.merging(environment) { _, fromEnvironment in fromEnvironment })
    }

    /// Every setting, blank ones included (for a reader that takes a dictionary, such as the
    /// Kubernetes runtime's settings).
    public var all: [String: String] { values }

    /// These settings with `extra` on top (what `netclode dev` decides for itself).
    public func adding(_ extra: [String: String]) -> EnvironmentSettings {
        EnvironmentSettings(values.merging(extra) { _, new in new })
    }

    /// The value of `name`, or nil when it is missing or blank.
    public subscript(name: String) -> String? {
        guard let value = values[name], !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return nil
        }
        return value
    }
}
