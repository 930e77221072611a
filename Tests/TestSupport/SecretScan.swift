import Foundation

/// Looks for credentials where none may be: installation tokens (`ghs_`, the prefix GitHub and the
/// forge give them) and PEM private keys (`-----BEGIN`), in files, captured text and the
/// environments of sandbox processes.
///
/// Files are read as raw bytes, every regular file below the root (databases, WAL files, git
/// objects, logs), so a secret cannot hide in a binary or a non-UTF-8 file.
public enum SecretScan {
    public static let markers = ["ghs_", "-----BEGIN"]

    /// One place a marker was found.
    public struct Finding: Sendable, CustomStringConvertible {
        public var place: String
        public var marker: String
        /// The line the marker was found in, the secret itself masked, to tell where it came from.
        public var context: String = ""
        public var description: String { "\(marker) in \(place)" + (context.isEmpty ? "" : ": \(context)") }
    }

    /// The first line of `text` holding `marker`, at most 300 characters, with the 36 characters
    /// after the marker (a token's body) masked.
    static func context(of marker: String, in text: String) -> String {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }), let range = line.range(of: marker) else { return "" }
        let masked = line[..<range.upperBound] + String(repeating: "*", count: min(36, line.distance(from: range.upperBound, to: line.endIndex)))
            + line[(line.index(range.upperBound, offsetBy: 36, limitedBy: line.endIndex) ?? line.endIndex)...]
        return String(masked.prefix(300))
    }

    /// Every regular file below `root` (symbolic links are not followed), byte for byte.
    public static func files(under root: URL) -> [Finding] {
        let needles = markers.map { ($0, Data($0.utf8)) }
        var findings: [Finding] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey])
        while let url = enumerator?.nextObject() as? URL {
            guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey]),
                  values.isRegularFile == true, values.isSymbolicLink != true,
                  let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { continue }
            for (marker, bytes) in needles where data.range(of: bytes) != nil {
                findings.append(Finding(place: url.path, marker: marker, context: context(of: marker, in: String(decoding: data, as: UTF8.self))))
            }
        }
        return findings
    }

    /// Captured text (API responses, events, logs), labelled `source` in the findings.
    public static func text(_ text: String, source: String) -> [Finding] {
        markers.filter { text.contains($0) }.map { Finding(place: source, marker: $0, context: context(of: $0, in: text)) }
    }

    /// Every process whose environment carries `NETCLODE_SESSION_ID` (the sandboxes' bubblewrap,
    /// agents, and anything they run): no marker in any command line or variable, except that a
    /// command run through `Exec` (never the agent itself) may hold its token in `GITHUB_TOKEN`.
    /// `sessions` limits the scan to those sessions' processes (other suites may run alongside).
    public static func sandboxProcesses(of sessions: Set<String>? = nil) -> [Finding] {
        var findings: [Finding] = []
        for process in SandboxProcesses.all() where sessions?.contains(process.sessionID) ?? true {
            let isAgent = process.isAgent
            for variable in process.environment {
                let name = variable.split(separator: "=", maxSplits: 1).first.map(String.init) ?? variable
                for marker in markers where variable.contains(marker) {
                    if name == "GITHUB_TOKEN" && marker == "ghs_" && !isAgent { continue }
                    findings.append(Finding(place: "environment variable \(name) of pid \(process.pid) (\(process.arguments.prefix(2).joined(separator: " ")))", marker: marker))
                }
            }
            if isAgent && process.environment.contains(where: { $0.hasPrefix("GITHUB_TOKEN=") }) {
                findings.append(Finding(place: "GITHUB_TOKEN in the agent's environment (pid \(process.pid))", marker: "GITHUB_TOKEN"))
            }
            for marker in markers where process.arguments.contains(where: { $0.contains(marker) }) {
                findings.append(Finding(place: "command line of pid \(process.pid)", marker: marker))
            }
        }
        return findings
    }
}
