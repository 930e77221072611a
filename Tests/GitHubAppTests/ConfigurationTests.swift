import Crypto
import _CryptoExtras
import Foundation
import Testing
import TestSupport
@testable import GitHubApp

@Suite("App configuration")
struct ConfigurationTests {
    private func settings(_ values: [String: String]) -> EnvironmentSettings { EnvironmentSettings(values) }

    @Test func missingSettingsAreAllNamed() throws {
        #expect(throws: GitHubError.notConfigured(missing: ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY_B64 (or GITHUB_APP_PRIVATE_KEY_PATH)"])) {
            try GitHubAppConfiguration(settings: settings([:]))
        }
        let error = #expect(throws: GitHubError.self) {
            try GitHubAppConfiguration(settings: settings(["GITHUB_APP_PRIVATE_KEY_B64": "x"]))
        }
        #expect(error?.message == "GitHub App not configured: missing GITHUB_APP_ID")
        #expect(error?.kind == .notConfigured)
    }

    @Test func blankValuesCountAsMissing() {
        #expect(throws: GitHubError.notConfigured(missing: ["GITHUB_APP_ID"])) {
            try GitHubAppConfiguration(settings: settings(["GITHUB_APP_ID": "  ", "GITHUB_APP_PRIVATE_KEY_PATH": "/nonexistent"]))
        }
    }

    @Test func loadsBase64KeyWithLineBreaksAndDefaults() throws {
        let wrapped = Data(TestKeys.pkcs1PEM.utf8).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let configuration = try GitHubAppConfiguration(settings: settings([
            "GITHUB_APP_ID": "12345", "GITHUB_APP_PRIVATE_KEY_B64": "  \(wrapped)\n", "GITHUB_INSTALLATION_ID": "77",
        ]))
        #expect(configuration.appID == "12345")
        #expect(configuration.defaultInstallationID == 77)
        #expect(configuration.privateKey.keySizeInBits == 2048)
        #expect(configuration.endpoints == GitHubEndpoints())
        #expect(configuration.endpoints.apiURL.absoluteString == "https://api.github.com")
    }

    @Test func loadsKeyFromPathAndEnterpriseURLs() throws {
        try withTemporaryDirectory { directory in
            let path = directory.url.appendingPathComponent("app.pem").path
            try TestKeys.pkcs8PEM.write(toFile: path, atomically: true, encoding: .utf8)
            let configuration = try GitHubAppConfiguration(settings: settings([
                "GITHUB_APP_ID": "Iv1.abc", "GITHUB_APP_PRIVATE_KEY_PATH": path,
                "GITHUB_API_URL": "https://ghe.example.com/api/v3/", "GITHUB_WEB_URL": "https://ghe.example.com",
            ]))
            #expect(configuration.endpoints.apiURL.absoluteString == "https://ghe.example.com/api/v3")
            #expect(configuration.endpoints.installationsSettingsURL == "https://ghe.example.com/settings/installations")
        }
    }

    @Test func rejectsBadInstallationIDAndURLs() {
        let key = Data(TestKeys.pkcs1PEM.utf8).base64EncodedString()
        #expect(throws: GitHubError.invalidSetting(name: "GITHUB_INSTALLATION_ID", reason: "must be a positive number, got \"abc\"")) {
            try GitHubAppConfiguration(settings: settings(["GITHUB_APP_ID": "1", "GITHUB_APP_PRIVATE_KEY_B64": key, "GITHUB_INSTALLATION_ID": "abc"]))
        }
        #expect(throws: GitHubError.self) {
            try GitHubEndpoints(settings: settings(["GITHUB_API_URL": "ftp://example.com"]))
        }
    }

    @Test func environmentWinsOverDotEnv() throws {
        try withTemporaryDirectory { directory in
            try """
            # comment
            export GITHUB_APP_ID=111
            GITHUB_WEB_URL="https://ghe.example.com"
            GITHUB_API_URL='https://ghe.example.com/api/v3' # trailing comment
            not an assignment
            """.write(to: directory.url.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
            let loaded = EnvironmentSettings.load(environment: ["GITHUB_APP_ID": "222"], dotEnvDirectory: directory.url)
            #expect(loaded["GITHUB_APP_ID"] == "222")
            #expect(loaded["GITHUB_WEB_URL"] == "https://ghe.example.com")
            #expect(loaded["GITHUB_API_URL"] == "https://ghe.example.com/api/v3")
        }
    }
}

@Suite("App private key")
struct PrivateKeyTests {
    @Test func loadsPKCS1AndPKCS8() throws {
        #expect(try AppPrivateKey(pem: TestKeys.pkcs1PEM).keySizeInBits == 2048)
        #expect(try AppPrivateKey(pem: TestKeys.pkcs8PEM).keySizeInBits == 2048)
    }

    @Test func rejectsWithOwnMessages() {
        #expect(throws: GitHubError.invalidPrivateKey(.notBase64)) { try AppPrivateKey(base64PEM: "not base64 at all!!") }
        #expect(throws: GitHubError.invalidPrivateKey(.notPEM)) { try AppPrivateKey(pem: "hello") }
        #expect(throws: GitHubError.invalidPrivateKey(.notPEM)) { try AppPrivateKey(base64PEM: Data("hello".utf8).base64EncodedString()) }
        #expect(throws: GitHubError.invalidPrivateKey(.notRSA)) { try AppPrivateKey(pem: P256.Signing.PrivateKey().pemRepresentation) }
        #expect(throws: GitHubError.invalidPrivateKey(.notRSA)) {
            try AppPrivateKey(pem: PEMHeader.begin("EC PRIVATE KEY") + "\nAAAA\n" + PEMHeader.end("EC PRIVATE KEY"))
        }
        #expect(throws: GitHubError.invalidPrivateKey(.tooShort(bits: 1024))) { try AppPrivateKey(pem: TestKeys.rsa1024.pemRepresentation) }
        #expect(throws: GitHubError.invalidPrivateKey(.unreadable(path: "/nonexistent/key.pem", reason: "no such file"))) {
            try AppPrivateKey(contentsOfFile: "/nonexistent/key.pem")
        }
        #expect(GitHubError.invalidPrivateKey(.tooShort(bits: 1024)).message.contains("at least 2048"))
    }

    @Test func neverPrintsKeyMaterial() throws {
        let key = try TestKeys.appKey()
        var dumped = ""
        dump(key, to: &dumped)
        for text in ["\(key)", String(reflecting: key), dumped] {
            #expect(!text.contains("PRIVATE KEY"))
            #expect(text.contains("2048"))
        }
    }
}

func withTemporaryDirectory(_ body: (TemporaryDirectory) throws -> Void) throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try body(directory)
}
