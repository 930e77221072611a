/// Proves, before a sandbox starts, that none of its mounts exposes something it must not see.
///
/// Protected are the control plane's data directory (database, other sessions, logs) and the
/// caller's hidden paths (the App private key file, the forge's data). A mount exposes a protected
/// path when its source contains it or equals it, or — for every mount but the session's own
/// directory, which lives in the data directory by design — lies inside it. The session directory
/// must resolve to a direct child of the sessions root, so a symlink planted in its place cannot
/// redirect the writable mount elsewhere. Any violation refuses the start (fail closed); the
/// message names the mount and what it would expose so the operator can move the file.
///
/// The runtime's own files for the sandbox (its generated `passwd`/`group`, the Unix sockets of
/// the sandbox listener and the egress proxy; see ``BubblewrapInvocation/RuntimeFiles``) live in
/// the data directory's `run/` and are allowed there by exact path, read-only: a mount of any
/// directory around them is still refused.
enum ExposureCheck {
    static func verify(
        mounts: [SandboxMount],
        sessionDirectory: String,
        sessionsRoot: String,
        dataDirectory: String,
        hiddenPaths: [String],
        runtimeFiles: [String] = [],
        canonical: (String) -> String = HostPath.canonical
    ) throws(SandboxError) {
        let ownFiles = Set(runtimeFiles.map(canonical))
        let data = canonical(dataDirectory)
        let root = canonical(sessionsRoot)
        let hidden = hiddenPaths.map(canonical)
        let session = canonical(sessionDirectory)

        guard HostPath.isSameOrInside(session, root), session != root,
              !session.dropFirst(root.count + (root.hasSuffix("/") ? 0 : 1)).contains("/") else {
            throw refusal("the session directory \(sessionDirectory) resolves to \(session), which is not directly inside \(root)")
        }

        for mount in mounts where mount.exposesHostPath {
            let source = canonical(mount.source)
            let isSessionMount = source == session
            let isRuntimeFile = mount.kind != .readWrite && ownFiles.contains(source)
            let protected = [(data, "the data directory")] + hidden.map { ($0, "the hidden path") }
            for (path, what) in protected {
                if HostPath.isSameOrInside(path, source) {
                    throw refusal("mounting \(mount.source) into the sandbox would expose \(what) \(path)")
                }
                let insideAllowed = (isSessionMount || isRuntimeFile) && path == data
                if !insideAllowed, HostPath.isSameOrInside(source, path) {
                    throw refusal("mounting \(mount.source) into the sandbox would expose part of \(what) \(path)")
                }
            }
            if !isSessionMount, HostPath.isSameOrInside(source, root) || HostPath.isSameOrInside(root, source) {
                throw refusal("mounting \(mount.source) into the sandbox would expose other sessions in \(root)")
            }
        }
    }

    private static func refusal(_ detail: String) -> SandboxError {
        SandboxError(.wouldExposeProtectedPath,
                     "refusing to start the sandbox: \(detail); move that file or directory out of the sandbox's view")
    }
}
