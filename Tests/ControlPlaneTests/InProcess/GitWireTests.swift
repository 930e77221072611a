@testable import ControlPlane
import NetclodeProto
import SwiftProtobuf
import Testing

/// The git proxy's reading and writing of git's smart-HTTP wire, and its push policy, as values.
@Suite("Git wire and push policy")
struct GitWireTests {
    static let a = String(repeating: "a", count: 40)
    static let b = String(repeating: "b", count: 40)
    static let zero = String(repeating: "0", count: 40)

    func body(_ lines: [String], capabilities: String = "report-status side-band-64k agent=git/2.39") -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, line) in lines.enumerated() {
            bytes += index == 0 ? PktLine.encode(Array(line.utf8) + [0] + Array(capabilities.utf8)) : PktLine.encode(line + "\n")
        }
        return bytes + PktLine.flush + Array("PACK....".utf8)
    }

    @Test func commandListIsReadUpToItsFlush() throws {
        let bytes = body(["\(Self.a) \(Self.b) refs/heads/main", "\(Self.zero) \(Self.b) refs/heads/new", "\(Self.a) \(Self.zero) refs/tags/v1"])
        let parsed = try #require(try ReceivePackCommands.parse(bytes))
        #expect(parsed.commands.map(\.ref) == ["refs/heads/main", "refs/heads/new", "refs/tags/v1"])
        #expect(parsed.commands[0].isUpdate && parsed.commands[1].isCreate && parsed.commands[2].isDelete)
        #expect(parsed.sideBand && parsed.reportStatus)
        #expect(Array(bytes[parsed.length...]) == Array("PACK....".utf8), "the pack starts right after the flush")
        #expect(try ReceivePackCommands.parse(Array(bytes.prefix(30))) == nil, "a partial list asks for more")
        #expect(try ReceivePackCommands.parse(PktLine.flush)?.commands.isEmpty == true, "git's 0000 probe has no commands")
    }

    @Test func unreadablePushesAreRefused() {
        #expect(throws: GitWireError.self) { try ReceivePackCommands.parse(Array("zzzz".utf8)) }
        #expect(throws: GitWireError.self) { try ReceivePackCommands.parse(PktLine.encode("not a command\n") + PktLine.flush) }
        #expect(throws: GitWireError.self) { try ReceivePackCommands.parse(PktLine.encode("push-cert\0report-status\n") + PktLine.flush) }
        #expect(throws: GitWireError.self) { try ReceivePackCommands.parse(Array("0001".utf8)) }
    }

    @Test func refusalIsReportStatusOnSideBandOne() throws {
        let push = try #require(try ReceivePackCommands.parse(body(["\(Self.a) \(Self.b) refs/heads/main", "\(Self.zero) \(Self.b) refs/heads/ok"])))
        let answer = try #require(ReportStatusWriter.refusal(of: push, reasons: ["refs/heads/main": "netclode policy: no"], messages: ["Netclode: hello"]))
        var reader = ReportStatusReader(sideBand: true)
        reader.feed(answer)
        #expect(!reader.unreadable && reader.unpackError == nil)
        #expect(reader.results["refs/heads/main"]?.ok == false && reader.results["refs/heads/main"]?.reason == "netclode policy: no")
        #expect(reader.results["refs/heads/ok"]?.reason == "atomic push rejected with others", "all or nothing")
        #expect(String(decoding: answer, as: UTF8.self).contains("\u{2}Netclode: hello\n"), "the message is on band 2 (git prints it as remote:)")

        var plain = push
        plain.capabilities = ["report-status"]
        var plainReader = ReportStatusReader(sideBand: false)
        plainReader.feed(try #require(ReportStatusWriter.refusal(of: plain, reasons: [:], messages: ["ignored"])))
        #expect(plainReader.results.count == 2)
        plain.capabilities = []
        #expect(ReportStatusWriter.refusal(of: plain, reasons: [:], messages: []) == nil, "without report-status only an HTTP error can say no")
    }

    @Test func readOnlyAdvertisementIsBuiltFromUploadPack() throws {
        let upload = PktLine.encode("# service=git-upload-pack\n") + PktLine.flush
            + PktLine.encode(Array("\(Self.a) HEAD".utf8) + [0] + Array("multi_ack symref=HEAD:refs/heads/main object-format=sha1\n".utf8))
            + PktLine.encode("\(Self.a) refs/heads/main\n") + PktLine.encode("\(Self.b) refs/tags/v1\n") + PktLine.encode("\(Self.a) refs/tags/v1^{}\n")
            + PktLine.flush
        let text = String(decoding: try ReceiveAdvertisement.fromUploadPack(upload), as: UTF8.self)
        #expect(text.hasPrefix("001f# service=git-receive-pack\n0000"))
        #expect(text.contains("\(Self.a) refs/heads/main\0report-status"))
        #expect(!text.contains("HEAD") && !text.contains("^{}"), "no HEAD and no peeled tags, as receive-pack advertises")
        let empty = PktLine.encode("# service=git-upload-pack\n") + PktLine.flush + PktLine.flush
        #expect(String(decoding: try ReceiveAdvertisement.fromUploadPack(empty), as: UTF8.self).contains("\(Self.zero) capabilities^{}\0"))
    }

    @Test func policyRules() throws {
        func command(_ old: String, _ new: String, _ ref: String) -> RefCommand { RefCommand(oldID: old, newID: new, ref: ref) }
        let fallback = PushPolicy.default
        #expect(fallback.refusal(of: command(Self.a, Self.b, "refs/heads/main"), defaultBranch: "main", fastForward: true) == nil)
        #expect(fallback.refusal(of: command(Self.a, Self.b, "refs/heads/main"), defaultBranch: "main", fastForward: false)?.contains("default branch") == true)
        #expect(fallback.refusal(of: command(Self.a, Self.b, "refs/heads/main"), defaultBranch: "main", fastForward: nil)?.contains("could not verify") == true)
        #expect(fallback.refusal(of: command(Self.a, Self.zero, "refs/heads/main"), defaultBranch: "main", fastForward: nil)?.contains("may not be deleted") == true)
        #expect(fallback.refusal(of: command(Self.a, Self.zero, "refs/heads/x"), defaultBranch: nil, fastForward: nil) != nil, "unknown default branch: fail closed")
        #expect(fallback.refusal(of: command(Self.a, Self.b, "refs/heads/x"), defaultBranch: "main", fastForward: false) == nil, "other branches may be rewritten by default")
        #expect(fallback.refusal(of: command(Self.a, Self.zero, "refs/tags/v1"), defaultBranch: "main", fastForward: nil)?.contains("tags may not be deleted") == true)
        #expect(fallback.refusal(of: command(Self.zero, Self.b, "refs/notes/x"), defaultBranch: "main", fastForward: nil)?.contains("only branches and tags") == true)
        #expect(!fallback.needsAncestry(command(Self.a, Self.b, "refs/heads/x"), defaultBranch: "main"))
        #expect(fallback.needsAncestry(command(Self.a, Self.b, "refs/heads/main"), defaultBranch: "main"))

        let strict = try PushPolicy(wire: .with { $0.branches = ["netclode/*", "refs/heads/fix-*"]; $0.allowForcePush = false; $0.allowDelete = false }, field: "pushPolicy")
        #expect(strict.branches == ["netclode/*", "fix-*"])
        #expect(strict.refusal(of: command(Self.zero, Self.b, "refs/heads/netclode/a/b"), defaultBranch: nil, fastForward: nil) == nil, "* crosses /")
        #expect(strict.refusal(of: command(Self.zero, Self.b, "refs/heads/main"), defaultBranch: nil, fastForward: nil)?.contains("netclode/*, fix-*") == true)
        #expect(strict.refusal(of: command(Self.a, Self.b, "refs/heads/fix-1"), defaultBranch: "main", fastForward: false)?.contains("force") == true)
        #expect(strict.refusal(of: command(Self.a, Self.zero, "refs/heads/fix-1"), defaultBranch: "main", fastForward: nil)?.contains("deleting") == true)
        #expect(strict.needsAncestry(command(Self.a, Self.b, "refs/heads/fix-1"), defaultBranch: "main"))

        #expect(throws: ControlPlaneError.self) { try PushPolicy(wire: .with { $0.branches = ["has space"] }, field: "pushPolicy") }
        #expect(throws: ControlPlaneError.self) { try PushPolicy(wire: .with { $0.branches = ["refs/tags/*"] }, field: "pushPolicy") }
        #expect(throws: ControlPlaneError.self) { try PushPolicy(wire: .with { $0.branches = [""] }, field: "pushPolicy") }
        #expect(PushPolicy.glob("a*c*e", matches: "abcde") && !PushPolicy.glob("a*c", matches: "ab") && PushPolicy.glob("x", matches: "x"))
        #expect(try PushPolicy(wire: .with { $0.branches = [] }, field: "p") == .default, "absent flags keep the defaults")
    }

    @Test func defaultBranchFromLsRemote() {
        #expect(AncestryMirrors.defaultBranch(lsRemote: "ref: refs/heads/trunk\tHEAD\n\(Self.a)\tHEAD\n") == "trunk")
        #expect(AncestryMirrors.defaultBranch(lsRemote: "") == nil)
    }
}
