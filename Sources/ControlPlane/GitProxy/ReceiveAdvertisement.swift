/// Builds a `git-receive-pack` ref advertisement from a `git-upload-pack` one (both v0): the same
/// refs, without `HEAD` and peeled tags, with the capabilities the proxy answers a push with.
///
/// Used for read-only sessions: GitHub refuses their token the receive-pack advertisement, and git
/// would then print only a bare 403. With this one git sends its commands, and the proxy refuses
/// them in report-status, naming the fix.
enum ReceiveAdvertisement {
    static func fromUploadPack(_ body: [UInt8]) throws(GitWireError) -> [UInt8] {
        var offset = 0
        var refs: [String] = []
        var objectFormat = "sha1"
        var sawService = false
        var zeroID = String(repeating: "0", count: 40)
        while let (packet, next) = try PktLine.read(body, at: offset) {
            offset = next
            guard case .data(var payload) = packet else { continue }
            if payload.last == UInt8(ascii: "\n") { payload.removeLast() }
            var line = payload
            if let nul = payload.firstIndex(of: 0) {
                let capabilities = String(decoding: payload[(nul + 1)...], as: UTF8.self).split(separator: " ")
                if let format = capabilities.first(where: { $0.hasPrefix("object-format=") }) {
                    objectFormat = String(format.dropFirst("object-format=".count))
                }
                line = Array(payload[..<nul])
            }
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("# service=") {
                sawService = true
                continue
            }
            let fields = text.split(separator: " ", maxSplits: 1)
            guard fields.count == 2 else { throw GitWireError("malformed ref advertisement line") }
            if fields[0].count == 64 { zeroID = String(repeating: "0", count: 64) }
            let name = fields[1]
            if name == "HEAD" || name.hasSuffix("^{}") { continue }
            refs.append(text)
        }
        guard sawService else { throw GitWireError("not a smart HTTP ref advertisement") }
        let capabilities = "report-status report-status-v2 delete-refs side-band-64k quiet atomic ofs-delta object-format=\(objectFormat) agent=netclode-proxy"
        var result = PktLine.encode("# service=git-receive-pack\n") + PktLine.flush
        if refs.isEmpty {
            result += PktLine.encode(Array("\(zeroID) capabilities^{}".utf8) + [0] + Array("\(capabilities)\n".utf8))
        } else {
            for (index, ref) in refs.enumerated() {
                result += index == 0
                    ? PktLine.encode(Array(ref.utf8) + [0] + Array("\(capabilities)\n".utf8))
                    : PktLine.encode("\(ref)\n")
            }
        }
        return result + PktLine.flush
    }
}
