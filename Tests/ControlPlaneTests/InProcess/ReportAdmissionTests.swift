@testable import ControlPlane
import NetclodeProto
import SwiftProtobuf
import Testing
import TestSupport

extension InProcessManagerTests {
    /// An agent's reports are untrusted: bounded in size and rate, and clone progress only for the
    /// session's own repositories (a free-form `repo` used to add a `repoStatus` entry per value).
    @Suite("Agent report admission", .serialized)
    struct ReportAdmissionTests {
        @Test func cloneProgressForAForeignRepositoryIsRefused() async throws {
            try await ManagerFixture.with { fixture in
                let session = try await fixture.create(access: "read")
                let agent = try await ScriptedAgent.attach(session.id, manager: fixture.manager, runtime: fixture.runtime)
                for index in 1...3 {
                    do {
                        try await agent.clone("https://example.invalid/junk-\(index).git", stage: "starting")
                        Issue.record("a clone event for a foreign repository was accepted")
                    } catch let error as ControlPlaneError {
                        guard case .invalidArgument(let message) = error else { Issue.record("unexpected \(error)"); return }
                        #expect(message.contains("not a repository of session"))
                    }
                }
                try await agent.clone(fixture.cloneURL("demo/hello"), stage: "starting")
                #expect(try await fixture.manager.session(session.id).repoStatus.map(\.repo) == [fixture.cloneURL("demo/hello")])
            }
        }

        @Test func oversizedEventIsRefused() async throws {
            try await ManagerFixture.with { fixture in
                let session = try await fixture.create(access: "read")
                let agent = try await ScriptedAgent.attach(session.id, manager: fixture.manager, runtime: fixture.runtime)
                do {
                    try await agent.report(.event(.with { $0.kind = "message"; $0.message = String(repeating: "x", count: 100_000) }))
                    Issue.record("a 100 kB event was accepted")
                } catch let error as ControlPlaneError {
                    guard case .invalidArgument(let message) = error else { Issue.record("unexpected \(error)"); return }
                    #expect(message.contains("at most 65536"), "\(message)")
                }
            }
        }

        /// The budget, on a clock the test moves: a burst is allowed, then the refill rate.
        @Test func reportBudgetAllowsABurstThenTheRate() {
            var budget = ReportBudget()
            let start = ContinuousClock.now
            var taken = 0
            while budget.take(now: start) { taken += 1 }
            #expect(taken == Int(ReportBudget.burst))
            let oneMore = budget.take(now: start)
            #expect(!oneMore)
            // 10 ms later: 20 more at 2,000/s.
            var refilled = 0
            while budget.take(now: start + .milliseconds(10)) { refilled += 1 }
            #expect(refilled == Int(ReportBudget.rate / 100))
        }
    }
}
