import Agent
import Testing

@Suite("git progress parsing and throttling")
struct CloneProgressTests {
    /// Lines as git 2.39 writes them with `--progress` (captured from a real clone; the server's
    /// sideband lines carry 8 blanks of padding, or ANSI "clear to end of line" on a terminal).
    static let table: [(line: String, expected: CloneProgress?)] = [
        ("Cloning into 'capdst'...", nil),
        ("remote: Enumerating objects: 452, done.        ", nil),
        ("remote: Counting objects:   0% (1/452)        ", CloneProgress(phase: "Counting objects", percent: 0, isRemote: true)),
        ("remote: Counting objects:  45% (204/452)        ", CloneProgress(phase: "Counting objects", percent: 45, isRemote: true)),
        ("remote: Counting objects: 100% (452/452), done.        ",
         CloneProgress(phase: "Counting objects", percent: 100, isRemote: true, isDone: true)),
        ("remote: Compressing objects:  12% (55/452)\u{1B}[K", CloneProgress(phase: "Compressing objects", percent: 12, isRemote: true)),
        ("Receiving objects:  45% (450/1000), 1.2 MiB | 3.4 MiB/s", CloneProgress(phase: "Receiving objects", percent: 45)),
        ("Receiving objects:   3% (14/452)", CloneProgress(phase: "Receiving objects", percent: 3)),
        ("Receiving objects: 100% (452/452), 926.04 KiB | 14.47 MiB/s, done.",
         CloneProgress(phase: "Receiving objects", percent: 100, isDone: true)),
        ("Resolving deltas:   0% (0/100)", CloneProgress(phase: "Resolving deltas", percent: 0)),
        ("Resolving deltas: 100% (12/12), done.", CloneProgress(phase: "Resolving deltas", percent: 100, isDone: true)),
        ("remote: Total 452 (delta 100), reused 0 (delta 0), pack-reused 0        ", nil),
        ("Updating files:  50% (150/300)", CloneProgress(phase: "Updating files", percent: 50)),
        ("Updating files: 100% (300/300), done.", CloneProgress(phase: "Updating files", percent: 100, isDone: true)),
        ("remote: Repository not found.", nil),
        ("fatal: repository 'http://127.0.0.1:1/demo/x.git/' not found", nil),
        ("fatal: could not read Username for 'https://github.com': terminal prompts disabled", nil),
        ("warning: You appear to have cloned an empty repository.", nil),
        ("Receiving objects: 150% (1/1)", nil),
        ("", nil),
    ]

    @Test("each captured line parses to its phase and percent", arguments: 0..<CloneProgressTests.table.count)
    func parsesCapturedLine(_ index: Int) {
        let (line, expected) = Self.table[index]
        #expect(CloneProgress.parse(line) == expected, "\(line.debugDescription)")
    }

    @Test("the stream is cut at both \\r and \\n, across chunk boundaries")
    func splitsCarriageReturnUpdates() {
        let stream = "Cloning into 'x'...\nremote: Counting objects:  50% (1/2)        \rremote: Counting objects: 100% (2/2), done.        \n"
            + "Receiving objects:  50% (1/2)\rReceiving objects: 100% (2/2), 1 KiB | 1 MiB/s, done.\nResolving deltas:   0% (0/1)\rremote: Total 2 (delta 0)        \n"
            + "Resolving deltas: 100% (1/1), done."
        var splitter = ProgressLineSplitter()
        var segments: [String] = []
        let bytes = Array(stream.utf8)
        // Feed in awkward 7-byte chunks, as a pipe may deliver them.
        var offset = 0
        while offset < bytes.count {
            segments += splitter.append(bytes[offset..<min(offset + 7, bytes.count)])
            offset += 7
        }
        if let rest = splitter.finish() { segments.append(rest) }
        #expect(segments.count == 8)
        let progress = segments.compactMap(CloneProgress.parse)
        #expect(progress.map(\.phase) == ["Counting objects", "Counting objects", "Receiving objects", "Receiving objects",
                                          "Resolving deltas", "Resolving deltas"])
        #expect(progress.map(\.percent) == [50, 100, 50, 100, 0, 100])
        #expect(progress.map(\.isRemote) == [true, true, false, false, false, false])
    }

    @Test("throttle: at most one update per interval, but phase changes and 100% always pass")
    func throttles() {
        var throttle = ProgressThrottle(interval: .milliseconds(250))
        let start = ContinuousClock.now
        func at(_ ms: Int) -> ContinuousClock.Instant { start + .milliseconds(ms) }
        let receiving = { (percent: Int) in CloneProgress(phase: "Receiving objects", percent: percent) }
        func admit(_ progress: CloneProgress, at instant: ContinuousClock.Instant) -> Bool {
            throttle.admit(progress, at: instant)
        }

        #expect(admit(CloneProgress(phase: "Counting objects", percent: 0, isRemote: true), at: at(0)))
        #expect(admit(receiving(1), at: at(10)), "a new phase passes at once")
        #expect(!admit(receiving(2), at: at(20)))
        #expect(!admit(receiving(30), at: at(200)))
        #expect(admit(receiving(40), at: at(270)), "the interval has passed")
        #expect(!admit(receiving(40), at: at(900)), "an unchanged update never passes")
        #expect(!admit(receiving(41), at: at(300)))
        #expect(admit(receiving(100), at: at(301)), "100% always passes")
        #expect(!admit(CloneProgress(phase: "Receiving objects", percent: 100, isDone: true), at: at(302)),
                "the `, done.` repeat of 100% is a duplicate")
        #expect(admit(CloneProgress(phase: "Resolving deltas", percent: 0), at: at(303)))

        // 1000 updates over one simulated second: about 4 pass (plus the first).
        var busy = ProgressThrottle(interval: .milliseconds(250))
        let passed = (0..<1000).filter { step in
            busy.admit(CloneProgress(phase: "Receiving objects", percent: step / 10), at: at(step))
        }.count
        #expect(passed >= 4 && passed <= 6, "passed \(passed)")
    }
}
