import _CryptoExtras
import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("App JWT authentication")
struct AppAuthenticationTests {
    @Test("GET /app accepts a good JWT (iss as string, number or client ID) and refuses bad ones with GitHub's 401s")
    func jwtChecks() async throws {
        try await ForgeProcess.with { forge in
            let pem = try String(contentsOfFile: forge.privateKeyPath, encoding: .utf8)
            let now = Int(Date().timeIntervalSince1970)

            func status(_ jwt: String, scheme: String = "Bearer") async throws -> (Int, String?) {
                let reply = try await HTTP.send(.GET, forge.api + "/app", headers: ["Authorization": "\(scheme) \(jwt)"])
                return (reply.status, try? reply.json()["message"]?.stringValue)
            }

            // Good tokens.
            let good = try await HTTP.send(.GET, forge.api + "/app", headers: ["Authorization": "Bearer \(try forge.jwt())"])
            #expect(good.status == 200)
            #expect(good.header("Content-Type") == "application/json; charset=utf-8")
            let app = try good.json()
            #expect(app["id"]?.intValue == forge.appID)
            #expect(app["slug"] == "netclode-forge")
            for field in ["node_id", "owner", "name", "description", "external_url", "html_url", "permissions", "events", "client_id", "created_at"] {
                #expect(app[field] != nil, "GET /app lacks \(field)")
            }
            #expect(try await status(AppJWT.sign(keyPEM: pem, issuer: .number(forge.appID)), scheme: "bearer").0 == 200)
            #expect(try await status(AppJWT.sign(keyPEM: pem, issuer: .string(forge.clientID))).0 == 200)

            // Wrong key.
            let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
            let wrongKey = try await status(AppJWT.sign(keyPEM: otherKey, issuer: .string(String(forge.appID))))
            #expect(wrongKey.0 == 401)
            #expect(wrongKey.1 == "A JSON web token could not be decoded")

            // Expired.
            let expired = try await status(AppJWT.sign(keyPEM: pem, issuer: .number(forge.appID), issuedAt: now - 700, expiresAt: now - 60))
            #expect(expired.0 == 401)
            #expect(expired.1 == "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")

            // exp 11 minutes ahead.
            let tooLong = try await status(AppJWT.sign(keyPEM: pem, issuer: .number(forge.appID), issuedAt: now, expiresAt: now + 660))
            #expect(tooLong.0 == 401)

            // iat in the future.
            let future = try await status(AppJWT.sign(keyPEM: pem, issuer: .number(forge.appID), issuedAt: now + 300, expiresAt: now + 500))
            #expect(future.0 == 401)
            #expect(future.1 == "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")

            // Unknown issuer.
            #expect(try await status(AppJWT.sign(keyPEM: pem, issuer: .number(forge.appID + 1))).0 == 401)

            // Not RS256, garbage, nothing.
            #expect(try await status(AppJWT.sign(keyPEM: pem, issuer: .number(forge.appID), algorithm: "HS256")).0 == 401)
            #expect(try await status("not-a-jwt").1 == "A JSON web token could not be decoded")
            let none = try await HTTP.send(.GET, forge.api + "/app")
            #expect(none.status == 401)
            #expect(none.header("x-ratelimit-limit") != nil)
        }
    }
}
