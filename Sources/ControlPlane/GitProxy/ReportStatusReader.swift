import Foundation

/// Reads, without changing a byte of it, the result GitHub sends for a push, to learn what became
/// of each ref for the audit event: `ok <ref>` or `ng <ref> <reason>` in the report-status, which
/// arrives on side-band 1 when side-band was agreed, or plain otherwise. Band 3 is a fatal error.
///
/// Fed the response as it streams past; anything it cannot read only makes the audit say the
/// outcome is unknown, never changes what git receives.
struct ReportStatusReader {
    private(set) var results: [String: (ok: Bool, reason: String)] = [:]
    private(set) var unpackError: String?
    private(set) var fatal: String?
    private(set) var unreadable = false

    private let sideBand: Bool
    private var outer: [UInt8] = []
    private var inner: [UInt8] = []
    /// The outer stream can be long (progress on band 2); stop keeping bytes after this much.
    private static let limit = 8 << 20
    private var seen = 0

    init(sideBand: Bool) {
        self.sideBand = sideBand
    }

    mutating func feed(_ bytes: some Collection<UInt8>) {
        guard !unreadable else { return }
        seen += bytes.count
        guard seen <= Self.limit else { unreadable = true; return }
        outer += bytes
        do {
            var offset = 0
            while let (packet, next) = try PktLine.read(outer, at: offset) {
                offset = next
                guard case .data(let payload) = packet else { continue }
                if sideBand {
                    guard let band = payload.first else { continue }
                    switch band {
                    case 1: inner += payload.dropFirst()
                    case 3: fatal = String(decoding: payload.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    default: break
                    }
                } else {
                    inner += PktLine.encode(payload)
                }
            }
            outer.removeFirst(offset)
            try readReport()
        } catch {
            unreadable = true
        }
    }

    private mutating func readReport() throws(GitWireError) {
        var offset = 0
        while let (packet, next) = try PktLine.read(inner, at: offset) {
            offset = next
            guard case .data(var payload) = packet else { continue }
            if payload.last == UInt8(ascii: "\n") { payload.removeLast() }
            let line = String(decoding: payload, as: UTF8.self)
            if line.hasPrefix("unpack ") {
                let status = String(line.dropFirst("unpack ".count))
                unpackError = status == "ok" ? nil : status
            } else if line.hasPrefix("ok ") {
                results[String(line.dropFirst(3))] = (true, "")
            } else if line.hasPrefix("ng ") {
                let rest = line.dropFirst(3)
                let parts = rest.split(separator: " ", maxSplits: 1)
                if let ref = parts.first { results[String(ref)] = (false, parts.count > 1 ? String(parts[1]) : "") }
            }
        }
        inner.removeFirst(offset)
    }
}
