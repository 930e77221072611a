/// The few entries of the host's `/etc` a sandbox sees, read-only, instead of the whole directory.
///
/// Enough for a shell, git, TLS, name resolution and the dynamic linker; nothing with a secret in
/// it. Under the user namespace every root-owned file looks owner-readable (see ``SandboxUser``),
/// so the list is an allow list: `/etc/shadow`, `/etc/ssh`, `/etc/ssl/private` and the rest of
/// the host's configuration stay out. `passwd` and `group` are not the host's either: the runtime
/// writes minimal ones that name the sandbox user.
enum SystemFiles {
    /// Bound when present; a symlink on the host stays a symlink inside (its target text, which
    /// exposes nothing by itself; e.g. `/etc/localtime` into `/usr/share/zoneinfo`).
    static let etcEntries = [
        // Name resolution: resolv.conf (with its /run directory when it links there, see
        // BubblewrapInvocation), hosts, and how the C library consults them.
        "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf",
        "/etc/services", "/etc/protocols",
        // The dynamic linker's cache and configuration.
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d",
        // CA certificates (Debian, and Red Hat's pki), not the private keys next to them.
        "/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/etc/ca-certificates", "/etc/ca-certificates.conf",
        "/etc/pki/tls/certs", "/etc/pki/ca-trust", "/etc/pki/tls/openssl.cnf",
        // Debian's /usr/bin/awk, editor, ... are symlinks through /etc/alternatives.
        "/etc/alternatives",
        // Time zone, git's system configuration, MIME types, the OS name.
        "/etc/localtime", "/etc/gitconfig", "/etc/mime.types", "/etc/os-release",
    ]

    /// Where the generated account files go inside the sandbox.
    static let passwd = "/etc/passwd"
    static let group = "/etc/group"
}
