import Foundation
import Testing
import TestSupport
@testable import Storage

/// Measures append throughput. Prints the rates; asserts only that nothing was lost, because
/// timing depends on the machine.
@Suite("Append rate")
struct AppendRateTests {
    @Test("10,000 sequential appends, then 8 concurrent appenders × 1,250")
    func appendRates() async throws {
        try await withStore { store, _ in
            try await store.insertSession(sampleSession(id: "rate"))
            let payload = Array(repeating: UInt8(0x5A), count: 200)  // a typical serialised event

            var start = ContinuousClock.now
            var last: Int64 = 0
            for _ in 0..<10_000 {
                let cursor = try await store.appendEvent(sessionID: "rate", payload: payload, at: Date())
                #expect(cursor > last)
                last = cursor
            }
            print("StorageTests: sequential → \(rate(10_000, ContinuousClock.now - start))")

            start = ContinuousClock.now
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<1_250 {
                            _ = try await store.appendEvent(sessionID: "rate", payload: payload, at: Date())
                        }
                        return 1_250
                    }
                }
                return try await group.reduce(0, +)
            }
            print("StorageTests: 8 concurrent appenders → \(rate(counts, ContinuousClock.now - start))")

            #expect(try await store.events(sessionID: "rate", after: 0, limit: 100_000).count == 20_000)
        }
    }
}
