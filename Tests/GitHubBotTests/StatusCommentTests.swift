import Foundation
@testable import GitHubBot
import Testing

@Suite("the status comment and the run's branch")
struct StatusCommentTests {
    @Test("the final comment fits GitHub's cap, defuses mentions and never closes its code block early")
    func finalComment() {
        let status = StatusComment(deliveryID: "d-1")
        let huge = String(repeating: "line @netclode ``` done\n", count: 10_000)
        let body = status.final(.init(succeeded: true, summary: "changes pushed", duration: .seconds(125), session: "s-1",
                                      branch: "netclode/1-x", pullRequestURL: "http://forge/pull/2", output: huge))
        #expect(body.count <= StatusComment.maximumCharacters)
        #expect(body.contains("in 2m 5s") && body.contains("http://forge/pull/2") && body.contains("`netclode/1-x`"))
        #expect(!Mention(handle: "netclode").isMentioned(in: body))
        #expect(!body.contains("@netclode"))
        #expect(body.contains("earlier output cut"))
        #expect(body.components(separatedBy: "```").count == 3, "one code block: the output's fences are broken")
    }

    @Test("tokens in output are masked")
    func redaction() {
        let text = "push with ghs_" + String(repeating: "A", count: 36) + " and github_pat_" + String(repeating: "b", count: 30) + "; ghs_short stays"
        let masked = Secrets.redacted(text)
        #expect(masked == "push with [redacted] and [redacted]; ghs_short stays")
    }

    @Test("branch names from issue titles", arguments: [
        (12, "Add a greeting for Netclode!", "netclode/12-add-a-greeting-for-netclode"),
        (3, "  ", "netclode/3-work"),
        (4, "Ünïcode & symbols -- here", "netclode/4-n-code-symbols-here"),
        (5, String(repeating: "long ", count: 30), "netclode/5-long-long-long-long-long-long-long-long"),
    ])
    func branches(_ number: Int, _ title: String, _ expected: String) {
        #expect(BranchName.forIssue(number, title: title) == expected)
    }
}
