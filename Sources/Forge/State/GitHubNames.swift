/// GitHub's naming rules for accounts and repositories, so the forge refuses exactly the names
/// github.com would (and the control plane's own validation can be tested against it).
public enum GitHubNames {
    /// Owner: `[A-Za-z0-9-]`, 1–39 characters, no leading, trailing or double hyphen.
    public static func ownerProblem(_ owner: String) -> String? {
        if owner.isEmpty { return "the owner is empty" }
        if owner.count > 39 { return "the owner '\(owner)' is longer than 39 characters" }
        if let bad = owner.unicodeScalars.first(where: { !($0.isASCIIAlphanumeric || $0 == "-") }) {
            return "the owner '\(owner)' contains '\(bad)'; GitHub allows only letters, digits and '-'"
        }
        if owner.hasPrefix("-") || owner.hasSuffix("-") { return "the owner '\(owner)' starts or ends with '-'" }
        if owner.contains("--") { return "the owner '\(owner)' contains '--'" }
        return nil
    }

    /// Repository: `[A-Za-z0-9._-]`, 1–100 characters, not `.` or `..`.
    public static func repositoryProblem(_ name: String) -> String? {
        if name.isEmpty { return "the repository name is empty" }
        if name.count > 100 { return "the repository name '\(name)' is longer than 100 characters" }
        if name == "." || name == ".." { return "the repository name '\(name)' is reserved" }
        if let bad = name.unicodeScalars.first(where: { !($0.isASCIIAlphanumeric || $0 == "-" || $0 == "_" || $0 == ".") }) {
            return "the repository name '\(name)' contains '\(bad)'; GitHub allows only letters, digits, '.', '_' and '-'"
        }
        if name.lowercased().hasSuffix(".git") { return "the repository name '\(name)' ends with '.git'" }
        return nil
    }

    /// Splits and validates `OWNER/NAME`; the error message names `argument`.
    public static func parseFullName(_ value: String, argument: String) throws -> (owner: String, name: String) {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else {
            throw ForgeError.invalidArgument(argument: "\(argument) \(value)", reason: "expected OWNER/NAME")
        }
        if let problem = ownerProblem(parts[0]) ?? repositoryProblem(parts[1]) {
            throw ForgeError.invalidArgument(argument: "\(argument) \(value)", reason: problem)
        }
        return (parts[0], parts[1])
    }
}

extension Unicode.Scalar {
    var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
