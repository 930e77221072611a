import Foundation
import GitHubApp
import Testing
import TestSupport

@Suite("Repository listing against the forge")
struct RepositoryListingTests {
    @Test func listsEveryPageAndReadsSingleRepositories() async throws {
        let names = ["demo/a", "demo/b", "demo/c", "demo/d", "demo/e"]
        let fixture = try await BrokerFixture.start(repos: names + ["other/tools"])
        let tokens = try await fixture.broker.lease(session: "s-list", repositories: try names.map(fixture.repo), access: .read)
        let token = try #require(tokens.first)

        let listed = try await fixture.broker.client.repositories(accessibleWith: token, perPage: 2)
        #expect(listed.map(\.fullName).sorted() == names, "3 pages of 2, followed through Link headers")
        #expect(try await fixture.forge.stats().apiRequests >= 3)

        let hello = try await fixture.broker.client.repository(try fixture.repo("demo/c"), token: token)
        #expect(hello.fullName == "demo/c")
        #expect(hello.defaultBranch == "main")
        let error = await #expect(throws: GitHubError.self) {
            try await fixture.broker.client.repository(try fixture.repo("other/tools"), token: token)
        }
        #expect(error?.message.hasPrefix("Repository not found: other/tools") == true)
        await fixture.finish(tokens: tokens)
    }
}
