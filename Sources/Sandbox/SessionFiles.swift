import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The host-side files of sessions: their directories and log files.
///
/// Directories are owner-only (0700): a session's workspace holds private source code, and the
/// logs may show what the agent did.
enum SessionFiles {
    /// Creates `url` (and missing parents) and makes it 0700 even if it already existed.
    ///
    /// An existing entry must be a real directory: a sandbox can replace its `home` or
    /// `workspace` with a symlink, and following it would let the sandbox make the control plane
    /// change permissions of (or later write into) any host directory.
    static func makePrivateDirectory(_ url: URL) throws(SandboxError) {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
           attributes[.type] as? FileAttributeType != .typeDirectory {
            throw SandboxError(.filesystem, "\(url.path) exists but is not a directory (a symlink?); refusing to use it")
        }
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
        } catch {
            throw SandboxError(.filesystem, "cannot create directory \(url.path): \(error.localizedDescription)")
        }
    }

    /// Replaces `path` with `text`, readable by all (0644): the generated `/etc/passwd` and
    /// `/etc/group` of a sandbox. Written to a temporary name and renamed, so a sandbox starting
    /// meanwhile never binds a half-written file.
    static func writeReadable(_ text: String, to path: String) throws(SandboxError) {
        let temporary = path + ".tmp"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: temporary)
            guard rename(temporary, path) == 0 else {
                throw SandboxError(.filesystem, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError(.filesystem, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Opens the log file for appending (created 0600), and writes a header line so successive
    /// runs of a session can be told apart.
    static func openLog(_ url: URL, header: String) throws(SandboxError) -> FileDescriptor {
        do {
            let descriptor = try FileDescriptor.open(
                FilePath(url.path), .writeOnly,
                options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite])
            do {
                _ = try descriptor.writeAll(Array(header.utf8))
            } catch {
                try? descriptor.close()
                throw error
            }
            return descriptor
        } catch {
            throw SandboxError(.filesystem, "cannot open log file \(url.path): \(error)")
        }
    }

    /// Renames `url` to `.removing-<tag>` in its own directory and returns the new location, or
    /// nil when there is nothing at `url`. A rename within one directory does not need write
    /// permission on the entry itself, so it works even on a directory the sandbox made
    /// read-only; the name cannot collide with a session (session IDs never start with a dot).
    static func moveAside(_ url: URL, tag: String) throws(SandboxError) -> URL? {
        let aside = url.deletingLastPathComponent().appendingPathComponent(".removing-\(tag)", isDirectory: false)
        guard rename(url.path, aside.path) == 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw SandboxError(.filesystem, "cannot delete \(url.path): cannot move it aside: \(String(cString: strerror(code)))")
        }
        return aside
    }

    /// Deletes `url` and everything below it. A sandbox may leave directories without write
    /// permission (e.g. `chmod -w`), which would make a plain recursive delete fail for a
    /// non-root control plane, so on failure permissions are opened up and it tries again.
    static func removeTree(_ url: URL) throws(SandboxError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) || HostPath.symlinkTarget(url.path) != nil else {
            return
        }
        do {
            try manager.removeItem(at: url)
        } catch {
            if isDirectory.boolValue, let enumerator = manager.enumerator(atPath: url.path) {
                try? manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
                while let relative = enumerator.nextObject() as? String {
                    let path = url.appendingPathComponent(relative).path
                    if HostPath.symlinkTarget(path) == nil {
                        var childIsDirectory: ObjCBool = false
                        if manager.fileExists(atPath: path, isDirectory: &childIsDirectory), childIsDirectory.boolValue {
                            try? manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
                        }
                    }
                }
            }
            do {
                try manager.removeItem(at: url)
            } catch {
                throw SandboxError(.filesystem, "cannot delete \(url.path): \(error.localizedDescription)")
            }
        }
    }
}
