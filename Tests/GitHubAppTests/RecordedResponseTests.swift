import Foundation
import NIOHTTP1
import Testing
@testable import GitHubApp

/// The recorded real GitHub exchanges (copied from ../shared/reference/github-api/) decode with the
/// client's types, and GitHub's error answers become the errors users are meant to see.
@Suite("Recorded GitHub responses")
struct RecordedResponseTests {
    struct Exchange {
        let path: String
        let status: Int
        let body: Data
    }

    static func exchanges(_ name: String) throws -> [Exchange] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return try (document["exchanges"] as! [[String: Any]]).map { exchange in
            Exchange(
                path: exchange["path"] as! String,
                status: exchange["status"] as! Int,
                body: try JSONSerialization.data(withJSONObject: exchange["responseBody"] ?? NSNull(), options: [.fragmentsAllowed])
            )
        }
    }

    static func response(_ exchange: Exchange) -> GitHubAPIClient.Response {
        .init(status: exchange.status, headers: HTTPHeaders(), body: exchange.body)
    }

    let repo = try! RepositoryReference(owner: "ammarmallik", name: "test-runner")

    @Test(arguments: ["testGetRepoInstallation", "testGetOrgInstallation", "testGetUserInstallation"])
    func installationsDecode(fixture: String) throws {
        let exchange = try #require(try Self.exchanges(fixture).first)
        let installation = try Self.response(exchange).decode(Installation.self)
        #expect(installation.id > 0)
        #expect(installation.account?.login.isEmpty == false)
        #expect(installation.repositorySelection == "selected" || installation.repositorySelection == "all")
        #expect(installation.htmlURL?.contains("/settings/installations/") == true)
    }

    @Test func mintedTokenDecodes() throws {
        for exchange in try Self.exchanges("testGetAccessToken") {
            let token = try GitHubAPIClient.interpretMint(
                Self.response(exchange), installationID: 30614431, owner: "ammarmallik", repositories: [repo], access: .read,
                issuedAt: Date(), installationURL: "https://github.com/settings/installations"
            )
            #expect(token.secret.hasPrefix("ghs_"))
            #expect(token.permissions["metadata"] == "read")
            #expect(token.expiresAt == ISO8601DateFormatter().date(from: "2024-11-25T01:00:02Z"))
        }
    }

    @Test func installationRepositoriesPageDecodes() throws {
        let exchange = try #require(try Self.exchanges("installation-testGetRepos").first { $0.path.hasPrefix("/installation/repositories") })
        let page = try Self.response(exchange).decode(InstallationRepositoriesPage.self)
        #expect(!page.repositories.isEmpty)
        #expect(page.repositories.count <= page.totalCount)
        #expect(page.repositories.allSatisfy { !$0.fullName.isEmpty && $0.fullName.contains("/") })
    }

    @Test func mintErrorsMapToTroubleshootingMessages() throws {
        func mintError(_ fixture: String) throws -> GitHubError? {
            let exchange = try #require(try Self.exchanges(fixture).first)
            return #expect(throws: GitHubError.self) {
                try GitHubAPIClient.interpretMint(
                    Self.response(exchange), installationID: 1, owner: "ammarmallik", repositories: [repo], access: .write,
                    issuedAt: Date(), installationURL: "https://github.com/settings/installations"
                )
            }
        }
        #expect(try mintError("testGetAccessTokenWithInvalidPermissions") == .permissionNotGranted(owner: "ammarmallik", access: .write))
        #expect(try mintError("testGetAccessTokenWithInvalidPermissions")?.message.contains("Contents: write") == true)
        let expired = try mintError("testGetAccessTokenWithExpiredJWT")
        #expect(expired?.kind == .unauthenticated)
        #expect(expired?.message.contains("'Expiration time' claim") == true)
        #expect(try mintError("testGetAccessTokenForNoInstallation")?.message.contains("installation 1 not found") == true)
        #expect(try mintError("testGetAccessTokenWithInvalidData")?.kind == .unexpected)

        let notAccessible = GitHubAPIClient.Response(
            status: 422, headers: HTTPHeaders(),
            body: Data(#"{"message":"There is at least one repository that does not exist or is not accessible to the parent installation.","documentation_url":"https://docs.github.com/rest"}"#.utf8)
        )
        let error = #expect(throws: GitHubError.self) {
            try GitHubAPIClient.interpretMint(notAccessible, installationID: 1, owner: "ammarmallik", repositories: [repo], access: .read, issuedAt: Date(), installationURL: "https://github.com/settings/installations/30614431")
        }
        #expect(error?.message == "Resource not accessible by integration: ammarmallik/test-runner — add it to the App installation at https://github.com/settings/installations/30614431")
    }

    @Test func repositoryNotFoundNamesTheRepoAndTheFix() throws {
        let exchange = try #require(try Self.exchanges("testGetInstallationNotFound").first)
        #expect(exchange.status == 404)
        let message = GitHubError.repositoryNotFound(repo).message
        #expect(message == "Repository not found: ammarmallik/test-runner (is the GitHub App installed on ammarmallik?)")
    }
}

@Suite("Tokens")
struct TokenTests {
    let repo = try! RepositoryReference(owner: "octo", name: "hello")

    @Test func tokensNeverPrintTheirSecret() {
        let secret = "ghs_" + String(repeating: "A1b2", count: 9)
        let token = InstallationToken(secret: secret, installationID: 7, owner: "octo", repositories: [repo], access: .read, expiresAt: Date(), issuedAt: Date(), permissions: [:])
        var dumped = ""
        dump(token, to: &dumped)
        for text in ["\(token)", String(reflecting: token), dumped, "\([token])"] {
            #expect(!text.contains(secret))
            #expect(text.contains(token.fingerprint))
        }
        #expect(token.fingerprint.count == 12)
        #expect(token.fingerprint.allSatisfy { $0.isHexDigit })
        #expect(TokenFingerprint.of("abc") == "ba7816bf8f01", "SHA-256 of \"abc\" starts ba7816bf8f01")
    }

    @Test func mintRequestsAlwaysNameRepositoriesOfOneOwner() throws {
        let request = try GitHubAPIClient.mintRequest(owner: "Octo", repositories: [repo], access: .write)
        #expect(request.repositories == ["hello"])
        #expect(request.permissions == ["contents": "write"])
        #expect(throws: GitHubError.self) { try GitHubAPIClient.mintRequest(owner: "octo", repositories: [], access: .read) }
        let stranger = try RepositoryReference(owner: "other", name: "x")
        #expect(throws: GitHubError.self) { try GitHubAPIClient.mintRequest(owner: "octo", repositories: [repo, stranger], access: .read) }
    }
}
