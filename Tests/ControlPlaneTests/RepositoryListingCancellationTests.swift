import Foundation
import GitHubApp
import Testing
import TestSupport
@testable import ControlPlane

/// A listing whose request is cancelled still revokes the token it minted.
@Suite("Repository listing cancelled")
struct RepositoryListingCancellationTests {
    @Test func aCancelledListingStillRevokesItsToken() async throws {
        try await ForgeProcess.with(.init(repos: ["demo/hello"])) { forge in
            let logs = LogCapture()
            let github = try GitHubAccess.load(settings: EnvironmentSettings(ControlPlaneProcess.githubEnvironment(for: forge)), logger: logs.logger(label: "listing"))
            let listing = RepositoryListing(github: github, logger: logs.logger(label: "listing"))
            // Hold the repository list at the forge: the listing token is minted, the listing waits.
            try await forge.injectFault(status: nil, delayMs: 5_000, pathPrefix: "/installation/repositories")
            let request = Task { try await listing.repositories() }
            defer { request.cancel() }
            let held = try await withDeadline(.seconds(60)) {
                while try await forge.stats().faultsInjected == 0 { try await Task.sleep(for: .milliseconds(50)) }
                return true
            }
            #expect(held == true, "the listing never reached the forge")
            #expect(try await forge.stats().mints == 1)

            // The client goes away: the request's task is cancelled mid-listing.
            request.cancel()
            _ = await request.result

            let revoked = try await withDeadline(.seconds(60)) {
                while try await forge.stats().revocations == 0 { try await Task.sleep(for: .milliseconds(100)) }
                return true
            }
            #expect(revoked == true, "the listing token outlived the cancelled request")
            if case .configured(let broker, _) = github { await broker.shutdown() }
        }
    }
}
