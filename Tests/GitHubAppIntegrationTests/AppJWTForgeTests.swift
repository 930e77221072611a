import AsyncHTTPClient
import Crypto
import _CryptoExtras
import Foundation
import GitHubApp
import NIOCore
import NIOHTTP1
import Testing
import TestSupport

/// Netclode's JWTs, signed with PKCS#1 and PKCS#8 keys, against the forge's verifier, which
/// applies GitHub's rules.
@Suite("App JWT against the forge")
struct AppJWTForgeTests {
    /// `GET /app` with `jwt`; returns the status and GitHub's message.
    private func getApp(_ forge: ForgeProcess, jwt: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: forge.baseURL.absoluteString + "/app")
        request.headers.add(name: "Authorization", value: "Bearer \(jwt)")
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func pkcs1AndPKCS8KeysBothSignAcceptedJWTs() async throws {
        try await ForgeProcess.with { forge in
            let pem = try String(contentsOfFile: forge.privateKeyPath, encoding: .utf8)
            #expect(pem.contains("BEGIN RSA PRIVATE KEY"), "the forge issues PKCS#1 keys, like GitHub")
            let pkcs8 = try _RSA.Signing.PrivateKey(pemRepresentation: pem).pkcs8PEMRepresentation
            for (label, settings) in [
                ("PKCS#1 via path", ["GITHUB_APP_PRIVATE_KEY_PATH": forge.privateKeyPath]),
                ("PKCS#8 via base64", ["GITHUB_APP_PRIVATE_KEY_B64": Data(pkcs8.utf8).base64EncodedString()]),
            ] {
                let configuration = try GitHubAppConfiguration(settings: EnvironmentSettings(settings.merging([
                    "GITHUB_APP_ID": "\(forge.appID)", "GITHUB_API_URL": forge.baseURL.absoluteString, "GITHUB_WEB_URL": forge.baseURL.absoluteString,
                ]) { a, _ in a }))
                let signer = AppJWTSigner(appID: configuration.appID, key: configuration.privateKey)
                let (status, body) = try await getApp(forge, jwt: try signer.token())
                #expect(status == 200, "\(label): \(body)")
                let client = GitHubAPIClient(configuration: configuration, logger: LogCapture().logger())
                let installationID = try #require(forge.installationIDs["demo"])
                let installation = try #require(try await client.installation(id: installationID), "\(label)")
                #expect(installation.account?.login == "demo")
            }
        }
    }

    @Test func refusedJWTs() async throws {
        try await ForgeProcess.with { forge in
            let key = try AppPrivateKey(contentsOfFile: forge.privateKeyPath)
            let signer = AppJWTSigner(appID: "\(forge.appID)", key: key)
            let stranger = AppJWTSigner(appID: "\(forge.appID)", key: try AppPrivateKey(pem: _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation))
            let now = Date()
            let cases: [(String, String)] = [
                ("signed by another key", try stranger.token()),
                ("expired", try signer.token(issuedAt: now.addingTimeInterval(-900), expiresAt: now.addingTimeInterval(-300))),
                ("exp 11 minutes ahead", try signer.token(issuedAt: now.addingTimeInterval(-60), expiresAt: now.addingTimeInterval(660))),
                ("unknown issuer", try signer.token(issuedAt: now.addingTimeInterval(-60), expiresAt: now.addingTimeInterval(540), issuer: "999999")),
            ]
            for (label, jwt) in cases {
                let (status, body) = try await getApp(forge, jwt: jwt)
                #expect(status == 401, "\(label): \(status) \(body)")
            }

            // Through the client, a refused JWT becomes the credentials error users see.
            let configuration = GitHubAppConfiguration(
                appID: "\(forge.appID)", privateKey: try AppPrivateKey(pem: _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation),
                endpoints: GitHubEndpoints(apiURL: forge.baseURL, webURL: forge.baseURL)
            )
            let client = GitHubAPIClient(configuration: configuration, logger: LogCapture().logger())
            let error = await #expect(throws: GitHubError.self) {
                try await client.installation(for: try RepositoryReference.parse("demo/hello", webURL: forge.baseURL))
            }
            #expect(error?.kind == .unauthenticated)
            #expect(error?.message.contains("GITHUB_APP_ID and the private key") == true)
        }
    }
}
