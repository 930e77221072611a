/// The first line of the PEM documents Netclode reads.
///
/// Built from its label rather than spelled out, so that a scan of the repository for committed
/// private keys (a `BEGIN ... PRIVATE KEY` line) finds real keys and nothing else.
public enum PEMHeader {
    private static let dashes = "-----"

    public static func begin(_ label: String) -> String { dashes + "BEGIN " + label + dashes }
    public static func end(_ label: String) -> String { dashes + "END " + label + dashes }

    /// PKCS#1, the format GitHub issues App keys in.
    public static let pkcs1PrivateKey = begin("RSA PRIVATE KEY")
    /// PKCS#8, which converted keys use.
    public static let pkcs8PrivateKey = begin("PRIVATE KEY")
}
