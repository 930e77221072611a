import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves paths relative to the session's workspace and refuses anything that would leave it:
/// absolute paths, `..` that climbs above the root, and symbolic links pointing outside (checked
/// on the real, symlink-free path).
public enum WorkspacePath {
    /// The canonical (symlink-free) path of `workspace`.
    public static func canonicalRoot(_ workspace: URL) throws(WorkspacePathError) -> String {
        guard let root = realPath(workspace.path) else {
            throw .workspaceMissing(workspace.path)
        }
        return root
    }

    /// The real path of the existing directory `relative` inside `workspace` (`""` or `.` = the
    /// workspace itself).
    public static func resolveDirectory(_ relative: String, in workspace: URL) throws(WorkspacePathError) -> URL {
        let root = try canonicalRoot(workspace)
        let components = try lexicalComponents(relative)
        let joined = components.isEmpty ? root : root + "/" + components.joined(separator: "/")
        guard let real = realPath(joined) else {
            // Missing, or a dangling symlink: say which, without following it anywhere.
            throw .notFound(relative)
        }
        guard isInside(real, root: root) else { throw .escapesWorkspace(relative) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notADirectory(relative)
        }
        return URL(fileURLWithPath: real, isDirectory: true)
    }

    /// The path `relative` inside `workspace`, which need not exist yet: its nearest existing
    /// ancestor must resolve inside the workspace, and an existing final component must not be a
    /// symbolic link.
    public static func resolvePlannedPath(_ relative: String, in workspace: URL) throws(WorkspacePathError) -> URL {
        let root = try canonicalRoot(workspace)
        let components = try lexicalComponents(relative)
        var existing = root
        var index = 0
        while index < components.count {
            let candidate = existing + "/" + components[index]
            // FileManager's attributes come from lstat (links are not followed). Not `stat()`
            // directly: in a release build its fields resolve through CDispatch and fail to compile.
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: candidate) else { break }
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                guard let real = realPath(candidate), isInside(real, root: root) else { throw .escapesWorkspace(relative) }
                existing = real
            } else {
                existing = candidate
            }
            index += 1
        }
        let rest = components[index...]
        let full = rest.isEmpty ? existing : existing + "/" + rest.joined(separator: "/")
        guard isInside(full, root: root) else { throw .escapesWorkspace(relative) }
        return URL(fileURLWithPath: full)
    }

    /// The components of `relative` with `.` removed and `..` applied lexically; an absolute path
    /// or a `..` above the root is refused.
    static func lexicalComponents(_ relative: String) throws(WorkspacePathError) -> [String] {
        if relative.hasPrefix("/") || relative.hasPrefix("~") { throw .absolutePath(relative) }
        if relative.contains("\0") { throw .escapesWorkspace(relative) }
        var components: [String] = []
        for part in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !components.isEmpty else { throw .escapesWorkspace(relative) }
                components.removeLast()
            default: components.append(String(part))
            }
        }
        return components
    }

    static func isInside(_ path: String, root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Why a path was refused.
public enum WorkspacePathError: Error, Sendable, Equatable, CustomStringConvertible {
    case absolutePath(String)
    case escapesWorkspace(String)
    case notFound(String)
    case notADirectory(String)
    case workspaceMissing(String)

    public var description: String {
        switch self {
        case .absolutePath(let path): return "workdir must be relative to the workspace: \(path)"
        case .escapesWorkspace(let path): return "workdir leaves the workspace: \(path)"
        case .notFound(let path): return "no such directory in the workspace: \(path)"
        case .notADirectory(let path): return "not a directory: \(path)"
        case .workspaceMissing(let path): return "workspace does not exist: \(path)"
        }
    }
}
