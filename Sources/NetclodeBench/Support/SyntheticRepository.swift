import Foundation

/// A deterministic repository of `files` files and `commits` commits, written with
/// `git fast-import` (seconds, where a commit loop would take minutes).
///
/// The first commit adds every file; each later commit rewrites a few of them. Content is
/// source-like text from a fixed linear congruential generator and dates are fixed, so every run
/// builds the same objects with the same hashes, and the repository compresses like real code.
enum SyntheticRepository {
    static func create(at path: URL, files: Int = 2_000, commits: Int = 500, filesPerCommit: Int = 4) async throws {
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        try await Git.run(["init", "--quiet", "--bare", "--initial-branch=main", path.path])
        let stream = path.appendingPathComponent("bench-fast-import.txt")
        var generator = LCG(seed: 20_260_118)
        var text = ""
        text.reserveCapacity(8 << 20)
        for commit in 0..<commits {
            let time = 1_767_225_600 + commit * 3_600
            let message = commit == 0 ? "Initial import" : "Change \(commit)"
            text += "commit refs/heads/main\n"
            text += "committer Bench <bench@netclode.invalid> \(time) +0000\n"
            text += "data \(message.utf8.count)\n\(message)\n"
            let touched = commit == 0 ? Array(0..<files) : (0..<filesPerCommit).map { _ in generator.next(below: files) }
            for file in touched {
                let lines = 20 + generator.next(below: 80)
                let content = generator.sourceFile(lines: lines, revision: commit)
                text += "M 100644 inline \(filePath(file))\ndata \(content.utf8.count)\n\(content)\n"
            }
            if text.utf8.count > 4 << 20 || commit == commits - 1 {
                try append(text, to: stream)
                text = ""
            }
        }
        try await Git.run(["--git-dir", path.path, "fast-import", "--quiet"], input: stream)
        try FileManager.default.removeItem(at: stream)
    }

    /// `module-07/sub-3/file-1234.swift`: a tree a few levels deep, as real repositories have.
    static func filePath(_ index: Int) -> String {
        "module-\(String(format: "%02d", index % 40))/sub-\(index % 7)/file-\(String(format: "%04d", index)).swift"
    }

    private static func append(_ text: String, to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// Knuth's MMIX linear congruential generator: tiny, fast and the same on every machine.
struct LCG {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    static let words = ["let", "var", "func", "return", "guard", "else", "self", "value", "count", "index",
                        "request", "response", "session", "token", "repository", "event", "stream", "cursor",
                        "async", "await", "try", "throw", "if", "for", "in", "where", "case", "switch"]

    /// Lines of identifier-ish words, e.g. `    let value = session(token, 42)`.
    mutating func sourceFile(lines: Int, revision: Int) -> String {
        var out = "// revision \(revision)\n"
        for _ in 0..<lines {
            let indent = String(repeating: " ", count: 4 * next(below: 3))
            let count = 3 + next(below: 6)
            let words = (0..<count).map { _ in Self.words[next(below: Self.words.count)] }
            out += indent + words.joined(separator: " ") + " \(next(below: 1000))\n"
        }
        return out
    }
}
