import Foundation
@testable import GitHubBot
import Testing

@Suite("bot mentions: whole words outside code, quotes and addresses")
struct MentionTests {
    let mention = Mention(handle: "netclode")

    @Test("mentions that count", arguments: [
        "@netclode fix this",
        "Hey @netclode, please add a test.",
        "please look (@netclode)",
        "@NetClode do it",
        "line one\r\n@netclode on a CRLF line",
        "`code` and then @netclode",
        "ends with @netclode",
    ])
    func counts(_ text: String) {
        #expect(mention.isMentioned(in: text), "\(text)")
    }

    @Test("mentions that do not", arguments: [
        "mail me@netclode.dev",
        "@netclode-x is another bot",
        "@netclode_bot is another bot",
        "run `@netclode fix` to try it",
        "```\n@netclode fix\n```",
        "~~~sh\n@netclode fix\n~~~\nafter",
        "> @netclode fix this\nquoted above",
        "  > @netclode fix this",
        "<!-- @netclode fix -->",
        "<!--\n@netclode\n-->",
        "no mention at all",
        "@@netclode doubled",
        "@netclodex",
    ])
    func doesNotCount(_ text: String) {
        #expect(!mention.isMentioned(in: text), "\(text)")
    }

    @Test("the request is the comment without the mention; quoted and code parts stay")
    func request() {
        #expect(mention.request(from: "@netclode please add a greeting") == "please add a greeting")
        #expect(mention.request(from: "Could you, @netclode, fix `@netclode` docs?") == "Could you, , fix `@netclode` docs?")
        #expect(Mention(handle: "@netclode").handle == "netclode")
    }
}
