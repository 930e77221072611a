/// The environment a sandbox process gets: exactly the spec's entries plus the few the runtime
/// owns. Nothing is inherited from the control plane, whose environment may carry the App's
/// private key (`GITHUB_APP_PRIVATE_KEY_B64`) or the API token.
enum SandboxEnvironment {
    /// `PATH` inside the sandbox: the system directories only (the session directory is not
    /// on it, so a repository cannot plant a `git` that the agent would run).
    static let path = "/usr/local/bin:/usr/bin:/bin"
    static let lang = "C.UTF-8"

    /// The spec's entries, then `HOME` (the session's home), `PATH`, `LANG` and `PWD` (the
    /// workspace; bwrap sets it anyway, the unisolated mode sets it for the same result). The
    /// runtime's values win over the spec's: `HOME` must be the session's, and a stable `PATH`
    /// keeps what the agent runs predictable.
    static func make(_ environment: [String: String], home: String, workspace: String) throws(SandboxError) -> [String: String] {
        for (key, value) in environment {
            guard !key.isEmpty, !key.contains("="), !key.contains("\0") else {
                throw SandboxError(.invalidSpec, "invalid environment variable name \"\(key)\" (empty, or contains '=' or NUL)")
            }
            guard !value.contains("\0") else {
                throw SandboxError(.invalidSpec, "the value of environment variable \(key) contains a NUL byte")
            }
        }
        var result = environment
        result["HOME"] = home
        result["PATH"] = path
        result["LANG"] = lang
        result["PWD"] = workspace
        return result
    }
}
