import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("pagination")
struct PaginationTests {
    @Test("GET /installation/repositories pages with a Link header built from the request's Host")
    func threePages() async throws {
        let repos = (1...5).map { "demo/repo\($0)" }
        try await ForgeProcess.with(ForgeProcess.Setup(repos: repos)) { forge in
            let token = try await forge.mint(owner: "demo", body: "{}")
            // Address the forge as `localhost` to prove links follow the Host header.
            let origin = "http://localhost:\(forge.baseURL.port!)"
            func page(_ number: Int) async throws -> HTTPReply {
                try await HTTP.send(.GET, "\(origin)/installation/repositories?per_page=2&page=\(number)", headers: ["Authorization": "token \(token)"])
            }
            let link = { (page: Int, rel: String) in "<\(origin)/installation/repositories?per_page=2&page=\(page)>; rel=\"\(rel)\"" }

            let first = try await page(1)
            #expect(first.status == 200)
            #expect(try first.json()["total_count"] == 5)
            #expect(try first.json()["repository_selection"] == "selected")
            #expect(try first.json()["repositories"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["repo1", "repo2"])
            #expect(first.header("Link") == [link(2, "next"), link(3, "last")].joined(separator: ", "))

            let second = try await page(2)
            #expect(try second.json()["repositories"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["repo3", "repo4"])
            #expect(second.header("Link") == [link(1, "prev"), link(3, "next"), link(3, "last"), link(1, "first")].joined(separator: ", "))

            let third = try await page(3)
            #expect(try third.json()["repositories"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["repo5"])
            #expect(third.header("Link") == [link(2, "prev"), link(1, "first")].joined(separator: ", "))
            #expect(try third.json()["repositories"]?.arrayValue?.first?["url"]?.stringValue == "\(origin)/repos/demo/repo5")

            let single = try await HTTP.send(.GET, "\(origin)/installation/repositories", headers: ["Authorization": "token \(token)"])
            #expect(single.header("Link") == nil)
            #expect(try single.json()["repositories"]?.arrayValue?.count == 5)
        }
    }
}
