/// One piece of the host filesystem a bubblewrap sandbox gets.
///
/// The sandbox starts from an empty root; everything it can see is listed as a mount, which is
/// what lets ``ExposureCheck`` prove that nothing protected is among them.
struct SandboxMount: Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// `--ro-bind`: must exist.
        case readOnly
        /// `--ro-bind-try`: skipped by bwrap when the source does not exist.
        case readOnlyIfPresent
        /// `--bind`: the session directory, the only writable host path.
        case readWrite
        /// `--symlink`: `source` is the link's target text, nothing of the host is exposed.
        case symlink
    }

    var kind: Kind
    var source: String
    var destination: String

    /// Whether the mount makes host content visible (everything but a symlink).
    var exposesHostPath: Bool { kind != .symlink }

    var arguments: [String] {
        switch kind {
        case .readOnly: ["--ro-bind", source, destination]
        case .readOnlyIfPresent: ["--ro-bind-try", source, destination]
        case .readWrite: ["--bind", source, destination]
        case .symlink: ["--symlink", source, destination]
        }
    }

    var description: String { arguments.joined(separator: " ") }
}
