import Foundation
import Testing
import TestSupport
@testable import GitHubApp

/// Whatever a user selects, a mint request that leaves Netclode names repositories: never an empty
/// list, which GitHub would read as "every repository of the installation".
@Suite struct MintRequestPropertyTests {
    @Test func everyMintRequestNamesItsRepositories() throws {
        var generator = RepositoryReferencePropertyTests.EntryGenerator(
            random: .init(seed: 0xA11_0CA7E), nativeHosts: ["github.com", "GitHub.com"], nativeScheme: "https"
        )
        var selections = 0
        var requests = 0
        for _ in 0..<10_000 {
            let entries = (0..<Int.random(in: 1...4, using: &generator.random)).map { _ in generator.next() }
            guard let selection = try? RepositorySelection.parse(entries, webURL: GitHubEndpoints.defaultWebURL) else { continue }
            selections += 1
            let byOwner = Dictionary(grouping: selection, by: \.ownerKey)
            for (owner, repositories) in byOwner {
                let access: RepoAccess = Bool.random(using: &generator.random) ? .read : .write
                let request = try GitHubAPIClient.mintRequest(owner: owner, repositories: repositories, access: access)
                requests += 1
                #expect(!request.repositories.isEmpty)
                #expect(request.repositories.count == repositories.count)
                #expect(request.repositories.allSatisfy { !$0.isEmpty && !$0.contains("/") })
                #expect(request.permissions == ["contents": access.rawValue])
                let json = try JSONSerialization.jsonObject(with: GitHubJSON.encoder().encode(request)) as? [String: Any]
                #expect((json?["repositories"] as? [String])?.isEmpty == false)
            }
        }
        #expect(selections >= 500, "the generator must produce usable selections (got \(selections))")
        #expect(requests >= selections)
    }
}
