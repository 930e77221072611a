/// The names and labels of a session's objects. A session ID becomes part of object names and a
/// label value, so it must be a DNS-1123 label: lower-case letters, digits and `-` (the control
/// plane's IDs are 12 lower-case letters and digits).
public enum ObjectNames {
    /// Labels every sandbox object carries; the first two select the runtime's Pods.
    public static let nameLabel = "app.kubernetes.io/name"
    public static let componentLabel = "app.kubernetes.io/component"
    public static let managedByLabel = "app.kubernetes.io/managed-by"
    public static let sessionLabel = "netclode.dev/session"
    /// Prefix of the annotations that keep a spec's ``SandboxSpec/annotations``.
    public static let annotationPrefix = "netclode.dev/"

    /// `app.kubernetes.io/name=netclode,app.kubernetes.io/component=sandbox`.
    public static let sandboxSelector = "\(nameLabel)=netclode,\(componentLabel)=sandbox"

    /// Session IDs longer than this would make names past the 63 characters of a label.
    static let maximumSessionID = 40

    public static func pod(_ sessionID: String) -> String { "netclode-\(sessionID)" }
    public static func workspaceClaim(_ sessionID: String) -> String { "netclode-\(sessionID)-workspace" }
    public static func agentSecret(_ sessionID: String) -> String { "netclode-\(sessionID)-agent" }

    public static func labels(_ sessionID: String) -> [String: String] {
        [nameLabel: "netclode", componentLabel: "sandbox", managedByLabel: "netclode", sessionLabel: sessionID]
    }

    static func isValidSessionID(_ id: String) -> Bool {
        isDNSLabel(id) && id.count <= maximumSessionID
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
    static func isDNSLabel(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 63, let first = text.utf8.first, let last = text.utf8.last,
              isAlphanumeric(first), isAlphanumeric(last) else { return false }
        return text.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// DNS-1123 labels joined by `.`, at most `maximum` characters.
    static func isDNSSubdomain(_ text: String, maximum: Int = 253) -> Bool {
        text.utf8.count <= maximum && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
