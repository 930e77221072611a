/// Answers a refused push in git's own words: the body of a `git-receive-pack` result whose
/// report-status names every ref (`ng <ref> <reason>`), preceded by `remote:` lines on side-band 2.
///
/// A bare HTTP 403 would lose the reason (git prints "the remote end hung up unexpectedly" and
/// even "Everything up-to-date"); this answer makes `git push` print
/// `! [remote rejected] main -> main (<reason>)` and exit 1, like GitHub's own refusals.
enum ReportStatusWriter {
    /// The response body for `commands` when each ref's reason is `reasons[ref]` (refs without one
    /// are refused as part of an all-or-nothing push), with `messages` shown as `remote:` lines.
    /// Nil when the client asked for no report-status: then only an HTTP error is possible.
    static func refusal(of request: ReceivePackCommands, reasons: [String: String], messages: [String]) -> [UInt8]? {
        guard request.reportStatus else { return nil }
        var report = PktLine.encode("unpack ok\n")
        for command in request.commands {
            let reason = reasons[command.ref] ?? "atomic push rejected with others"
            report += PktLine.encode("ng \(command.ref) \(singleLine(reason))\n")
        }
        report += PktLine.flush
        guard request.sideBand else { return report }

        var body: [UInt8] = []
        for message in messages {
            body += PktLine.encode([2] + Array("\(singleLine(message))\n".utf8))
        }
        // Band 1 carries the report-status stream, in chunks that fit a pkt-line.
        let chunk = 65515
        var offset = 0
        while offset < report.count {
            let end = min(offset + chunk, report.count)
            body += PktLine.encode([1] + report[offset..<end])
            offset = end
        }
        return body + PktLine.flush
    }

    private static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 }.prefix(1000))
    }
}
