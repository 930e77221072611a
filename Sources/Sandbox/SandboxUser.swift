/// The unprivileged identity everything in a bubblewrap sandbox runs as, whoever started the
/// control plane.
///
/// bwrap `--unshare-user --uid 1000 --gid 1000` maps the host user that runs the control plane
/// (often root) to this uid inside a new user namespace, so `id -u` in the sandbox is not 0, a
/// process there holds no capability on the host, and the files it writes in the workspace
/// belong to that host user, who can use them as before. The mapping cuts both ways: every host
/// file owned by that user looks owner-readable inside (for root: `/etc/shadow`, SSH host keys),
/// which is why the sandbox gets a minimal `/etc` (``SystemFiles``) instead of the host's.
public enum SandboxUser {
    /// The sandbox user's uid and gid: the first regular user on Debian-like systems, which
    /// is what tools expect an unprivileged user to look like.
    public static let uid = 1000
    public static let gid = 1000
    public static let name = "netclode"

    /// `/etc/passwd` inside: root (nothing runs as it; tools expect it), the sandbox user with
    /// the session's home, and nobody.
    static func passwd(home: String) -> String {
        """
        root:x:0:0:root:/root:/usr/sbin/nologin
        \(name):x:\(uid):\(gid):Netclode sandbox:\(home):/bin/sh
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin

        """
    }

    /// `/etc/group` inside.
    static func group() -> String {
        """
        root:x:0:
        \(name):x:\(gid):
        nogroup:x:65534:

        """
    }
}
