import Foundation
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport
@testable import Agent

/// The agent's half of streamed output: text that never splits a character, reports that merge
/// and batch, and a producer held back when too much waits.
@Suite("Process output")
struct ProcessOutputTests {
    @Test("a character cut between two reads is held back and completed by the next")
    func utf8Carry() {
        var carry = UTF8Carry()
        let bytes = Array("aé€😀".utf8)  // 1 + 2 + 3 + 4 bytes
        var text = ""
        for byte in bytes {
            text += [byte].withUnsafeBytes { carry.text($0) }
        }
        #expect(text == "aé€😀")
        #expect(carry.flush() == "")
        // A stream that ends mid-character flushes what it has, replaced.
        _ = ([0xE2, 0x82] as [UInt8]).withUnsafeBytes { carry.text($0) }
        #expect(carry.flush() == "\u{FFFD}")
        // Invalid bytes never stall the stream.
        #expect(([0xFF, 0x41] as [UInt8]).withUnsafeBytes { carry.text($0) } == "\u{FFFD}A")
    }

    @Test("output pieces are cut between scalars, at most the limit each")
    func pieces() {
        let text = String(repeating: "é", count: 10)  // 20 bytes
        let pieces = ReportOutbox.pieces(of: text, limit: 5)
        #expect(pieces.joined() == text)
        #expect(pieces.allSatisfy { $0.utf8.count <= 5 })
        #expect(ReportOutbox.pieces(of: "short", limit: 5) == ["short"])
    }

    static func output(_ data: String, stream: String = "stdout", run: String = "run-1") -> Netclode_V1_AgentEvent {
        .process("agent_output", id: run) {
            $0.stream = stream
            $0.data = data
        }
    }

    @Test("chunks queued behind a busy sender merge by stream and leave as one batch, in order")
    func mergeAndBatch() async {
        let outbox = ReportOutbox()
        await outbox.postOutput(Self.output("a"))  // the sender is not waiting yet: queued
        await outbox.postOutput(Self.output("b"))
        await outbox.postOutput(Self.output("e", stream: "stderr"))
        await outbox.postOutput(Self.output("c"))
        outbox.post(.ack(.with { $0.commandID = "x" }))
        await outbox.postOutput(Self.output("d"))

        guard case .events(let batch)? = await outbox.next() else {
            Issue.record("expected a batch")
            return
        }
        #expect(batch.events.map { "\($0.stream):\($0.data)" } == ["stdout:ab", "stderr:e", "stdout:c"])
        guard case .ack? = await outbox.next() else {
            Issue.record("expected the ack after the batch")
            return
        }
        guard case .event(let last)? = await outbox.next() else {
            Issue.record("expected the last chunk")
            return
        }
        #expect(last.data == "d")
    }

    @Test("a producer waits while the queued output is over the budget, and goes on once the sender took it")
    func backpressure() async throws {
        let outbox = ReportOutbox()
        let chunk = String(repeating: "x", count: ReportOutbox.chunkLimit)
        let chunks = ReportOutbox.outputBudget / ReportOutbox.chunkLimit
        for _ in 0..<chunks { await outbox.postOutput(Self.output(chunk)) }
        let posted = Flag()
        let producer = Task {
            await outbox.postOutput(Self.output("over"))
            await posted.set()
        }
        // The producer stays blocked while nothing is taken (checked a few times, not timed).
        for _ in 0..<20 {
            await Task.yield()
            #expect(await !posted.value)
        }
        var taken = 0
        while await !posted.value {
            guard let report = await outbox.next() else { break }
            if case .events(let batch) = report { taken += batch.events.count }
            if case .event = report { taken += 1 }
        }
        await producer.value
        #expect(taken >= 1)
        outbox.finish()
    }
}

actor Flag {
    private(set) var value = false
    func set() { value = true }
}
