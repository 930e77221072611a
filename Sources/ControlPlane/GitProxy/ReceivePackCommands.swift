/// One ref update a push asks for: `old-id SP new-id SP name` (gitprotocol-pack). A create has an
/// all-zero old id, a delete an all-zero new id; a force push looks exactly like an update.
struct RefCommand: Equatable, Sendable {
    var oldID: String
    var newID: String
    var ref: String

    var isCreate: Bool { Self.isZero(oldID) }
    var isDelete: Bool { Self.isZero(newID) }
    var isUpdate: Bool { !isCreate && !isDelete }

    static func isZero(_ id: String) -> Bool { id.allSatisfy { $0 == "0" } }
}

/// The command list at the start of a `git-receive-pack` request body, read before anything is
/// forwarded: `*shallow (command-list | push-cert)`, the first command carrying the client's
/// capabilities after a NUL, ended by a flush; push options and the pack follow.
struct ReceivePackCommands: Equatable, Sendable {
    var commands: [RefCommand]
    var capabilities: Set<String>
    /// Bytes of the body up to and including the command list's flush.
    var length: Int

    /// The longest command list the proxy reads (a push of 10,000 refs fits); longer is refused.
    static let maximumLength = 4 << 20

    /// Side-band lets a refusal carry `remote:` lines; report-status lets it name each ref.
    var sideBand: Bool { capabilities.contains("side-band-64k") || capabilities.contains("side-band") }
    var reportStatus: Bool { capabilities.contains("report-status") || capabilities.contains("report-status-v2") }

    /// Parses the command list at the start of `body`; nil when `body` ends before its flush.
    /// A body that is only a flush (git's `0000` probe before a large push) has no commands.
    static func parse(_ body: [UInt8]) throws(GitWireError) -> ReceivePackCommands? {
        var offset = 0
        var commands: [RefCommand] = []
        var capabilities = Set<String>()
        while let (packet, next) = try PktLine.read(body, at: offset) {
            offset = next
            switch packet {
            case .flush:
                return ReceivePackCommands(commands: commands, capabilities: capabilities, length: offset)
            case .delimiter, .responseEnd:
                throw GitWireError("unexpected special packet in a push's command list")
            case .data(var payload):
                if payload.last == UInt8(ascii: "\n") { payload.removeLast() }
                if commands.isEmpty, payload.starts(with: Array("shallow ".utf8)) { continue }
                if payload.starts(with: Array("push-cert".utf8)) {
                    throw GitWireError("signed pushes (push-cert) are not supported through the proxy")
                }
                var line = payload
                if let nul = payload.firstIndex(of: 0) {
                    guard commands.isEmpty else { throw GitWireError("capabilities after the first command") }
                    let listed = String(decoding: payload[(nul + 1)...], as: UTF8.self)
                    capabilities = Set(listed.split(separator: " ").map(String.init))
                    line = Array(payload[..<nul])
                }
                let fields = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
                guard fields.count == 3, isObjectID(fields[0]), isObjectID(fields[1]), !fields[2].isEmpty else {
                    throw GitWireError("malformed push command")
                }
                commands.append(RefCommand(oldID: String(fields[0]), newID: String(fields[1]), ref: String(fields[2])))
            }
            guard offset <= maximumLength else { throw GitWireError("push command list longer than \(maximumLength) bytes") }
        }
        guard body.count <= maximumLength else { throw GitWireError("push command list longer than \(maximumLength) bytes") }
        return nil
    }

    /// SHA-1 (40) or SHA-256 (64) hex.
    private static func isObjectID(_ text: Substring) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }
}
