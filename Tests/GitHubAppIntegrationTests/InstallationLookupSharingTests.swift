import Foundation
import GitHubApp
import Testing
import TestSupport

/// Concurrent installation lookups of one owner share an installation found, never a "not found"
/// about another repository.
@Suite("Installation lookups shared per owner")
struct InstallationLookupSharingTests {
    @Test func aTypoOfTheSameOwnerDoesNotFailARepositoryThatExists() async throws {
        let fixture = try await BrokerFixture.start(repos: ["acme/app"])
        // Hold the lookup of the typo at the forge, so the second lease arrives while it runs.
        try await fixture.forge.injectFault(status: nil, delayMs: 4_000, pathPrefix: "/repos/acme/typo/installation")
        let broker = fixture.broker
        let typo = try fixture.repos("acme/typo")
        let typoLease = Task { try await broker.lease(session: "s-typo", repositories: typo, access: .read) }
        defer { typoLease.cancel() }
        // The forge has taken the delay: the typo's lookup is in flight.
        let forge = fixture.forge
        let held = try await withDeadline(.seconds(60)) {
            while try await forge.stats().faultsInjected == 0 { try await Task.sleep(for: .milliseconds(50)) }
            return true
        }
        #expect(held == true, "the typo's lookup never reached the forge")

        let tokens = try await broker.lease(session: "s-app", repositories: try fixture.repos("acme/app"), access: .read)
        #expect(tokens.map { $0.repositories.map(\.fullName) } == [["acme/app"]])

        let typoResult = await typoLease.result
        guard case .failure(let error) = typoResult else {
            Issue.record("a lease of a repository that does not exist succeeded")
            await fixture.finish(tokens: tokens + ((try? typoResult.get()) ?? []))
            return
        }
        #expect((error as? GitHubError)?.message.hasPrefix("Repository not found: acme/typo") == true, "\(error)")
        await fixture.finish(tokens: tokens)
    }
}
