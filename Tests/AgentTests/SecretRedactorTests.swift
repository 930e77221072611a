import Agent
import Testing

@Suite("secret redaction")
struct SecretRedactorTests {
    static let token = "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a"  // split: no token-shaped literal in the repo

    static let table: [(input: String, expected: String)] = [
        ("nothing secret here", "nothing secret here"),
        ("token \(token) leaked", "token ghs_*** leaked"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_***"),
        ("gho_abc123 ghu_abc123 ghr_abc123", "gho_*** ghu_*** ghr_***"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_***"),
        ("fatal: unable to access 'https://x-access-token:\(token)@github.com/o/r.git/': 403",
         "fatal: unable to access 'https://***@github.com/o/r.git/': 403"),
        ("https://user:hunter2@example.com/path", "https://***@example.com/path"),
        ("http://127.0.0.1:8080/demo/hello.git", "http://127.0.0.1:8080/demo/hello.git"),
        ("see https://github.com/o/r and mail me@example.com", "see https://github.com/o/r and mail me@example.com"),
        ("x-access-token:s3cr3t-value", "x-access-token:***"),
        ("X-Access-Token:s3cr3t@github.com", "X-Access-Token:***@github.com"),
        ("Authorization: Basic eC1hY2Nlc3MtdG9rZW46c2VjcmV0\nnext line", "Authorization: ***\nnext line"),
        ("-c http.extraHeader=authorization: bearer abc.def.ghi", "-c http.extraHeader=authorization: ***"),
        ("curl -H \"Authorization: token abcdef\" https://api", "curl -H \"Authorization: ***\" https://api"),
        ("Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig", "Bearer ***"),
        ("not_ghs_prefixed", "not_ghs_prefixed"),
        ("ghs_", "ghs_"),
        ("unicode ✓ \(token) ✓", "unicode ✓ ghs_*** ✓"),
    ]

    @Test("each pattern is redacted, nothing else changes", arguments: 0..<SecretRedactorTests.table.count)
    func redacts(_ index: Int) {
        let (input, expected) = Self.table[index]
        #expect(SecretRedactor.redact(input) == expected)
    }

    @Test("known secrets are redacted whatever their shape")
    func redactsKnownSecrets() {
        let text = "the token is opaque-XYZ-123 and again opaque-XYZ-123."
        #expect(SecretRedactor.redact(text, knownSecrets: ["opaque-XYZ-123"]) == "the token is *** and again ***.")
        #expect(SecretRedactor.containsSecret(text, knownSecrets: ["opaque-XYZ-123"]))
        #expect(!SecretRedactor.containsSecret("plain text"))
    }

    @Test("a token at the end of a megabyte of output is redacted")
    func largeInput() {
        let line = String(repeating: "a", count: 99) + "\n"
        let text = String(repeating: line, count: 10_000) + Self.token
        let redacted = SecretRedactor.redact(text)
        #expect(!redacted.contains(Self.token))
        #expect(redacted.hasPrefix(line))
    }
}
