import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// What the installed `bwrap` can do beyond the options every supported version has.
struct BubblewrapFeatures: Sendable, Equatable {
    /// `--disable-userns` (bubblewrap 0.8): the sandbox cannot create nested user namespaces.
    var disableUserNamespaces: Bool

    /// Reads `bwrap --help`; a bwrap that cannot say gets no optional feature.
    static func probe(_ bwrap: String) async -> BubblewrapFeatures {
        let help = try? await Subprocess.run(
            .path(FilePath(bwrap)), arguments: ["--help"], environment: .custom(["PATH": "/usr/bin:/bin", "LANG": "C"]),
            output: .string(limit: 1 << 16), error: .string(limit: 1 << 16))
        let text = (help?.standardOutput ?? "") + (help?.standardError ?? "")
        return BubblewrapFeatures(disableUserNamespaces: text.contains("--disable-userns"))
    }
}
