import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Path arithmetic for deciding what a bind mount exposes.
///
/// Comparisons are made on canonical paths (absolute, symlinks resolved), because a mount
/// exposes what a path *resolves to*: `/lib` may be `/usr/lib`, and a hidden key reached through
/// a symlink is still the same file.
enum HostPath {
    /// The absolute, symlink-free form of `path`. Components that do not exist yet are appended
    /// to the resolved form of the longest existing prefix, so directories about to be created
    /// compare correctly too.
    static func canonical(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute
        var missing: [String] = []
        while true {
            if let resolved = realPath(existing) {
                return join(resolved, missing.reversed())
            }
            if existing == "/" || existing.isEmpty {
                return join("/", missing.reversed())
            }
            let url = URL(fileURLWithPath: existing)
            missing.append(url.lastPathComponent)
            existing = url.deletingLastPathComponent().path
        }
    }

    /// Whether `path` is `ancestor` or lies below it. Both must be canonical.
    static func isSameOrInside(_ path: String, _ ancestor: String) -> Bool {
        if path == ancestor || ancestor == "/" { return true }
        return path.hasPrefix(ancestor.hasSuffix("/") ? ancestor : ancestor + "/")
    }

    /// What the symlink at `path` points to, or nil when `path` is not a symlink.
    static func symlinkTarget(_ path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeSymbolicLink else { return nil }
        return try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func join(_ base: String, _ components: [String]) -> String {
        components.reduce(base) { partial, component in
            partial.hasSuffix("/") ? partial + component : partial + "/" + component
        }
    }
}
