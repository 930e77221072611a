import Forge
import Foundation
import NIOHTTP1
import Testing
import TestSupport

@Suite("fault injection and stats")
struct FaultInjectionTests {
    @Test("502 once, then normal; 429 with retry-after; primary rate limit; delay; path prefix; counters")
    func faults() async throws {
        try await ForgeProcess.with { forge in
            try await forge.injectFault(status: 502, count: 1)
            let failed = try await forge.appRequest(.GET, "/app")
            #expect(failed.status == 502)
            #expect(failed.header("Content-Type") == "application/json; charset=utf-8")
            #expect(try await forge.appRequest(.GET, "/app").status == 200)

            try await forge.injectFault(status: 429, count: 2, retryAfter: 7)
            for _ in 0..<2 {
                let limited = try await forge.appRequest(.GET, "/app")
                #expect(limited.status == 429)
                #expect(limited.header("retry-after") == "7")
                #expect(try limited.json()["message"]?.stringValue?.hasPrefix("You have exceeded a secondary rate limit") == true)
            }
            #expect(try await forge.appRequest(.GET, "/app").status == 200)

            let reset = Int(Date().timeIntervalSince1970) + 60
            let demoID = try #require(forge.installationIDs["demo"])
            try await forge.injectFault(status: 403, count: 1, rateLimitReset: reset, pathPrefix: "/app/installations")
            #expect(try await forge.appRequest(.GET, "/app").status == 200)  // prefix does not match
            let primary = try await forge.appRequest(.POST, "/app/installations/\(demoID)/access_tokens", body: "{}")
            #expect(primary.status == 403)
            #expect(primary.header("x-ratelimit-remaining") == "0")
            #expect(primary.header("x-ratelimit-reset") == String(reset))
            #expect(try primary.json()["message"]?.stringValue == "API rate limit exceeded for installation ID \(demoID).")

            try await forge.injectFault(status: nil, count: 1, delayMs: 300)
            let started = ContinuousClock.now
            #expect(try await forge.appRequest(.GET, "/app").status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(300))

            try await forge.injectFault(status: 503, count: 5)
            try await forge.clearFaults()
            #expect(try await forge.appRequest(.GET, "/app").status == 200)

            let stats = try await forge.stats()
            #expect(stats.faultsInjected == 5)
            #expect(stats.apiRequests == 9)
            #expect(stats.mints == 0)
            #expect(stats.gitRequests == 0)

            try await forge.resetStats()
            #expect(try await forge.stats() == ForgeStatsSnapshot(mints: 0, revocations: 0, installationLookups: 0, gitRequests: 0,
                                                                   apiRequests: 0, faultsInjected: 0, mintsByInstallation: [:]))
        }
    }

    @Test("a reset fault drops the connection without an answer, then the forge answers again")
    func connectionReset() async throws {
        try await ForgeProcess.with { forge in
            try await forge.injectFault(status: nil, count: 1, pathPrefix: "/app", reset: true)
            await #expect(throws: (any Error).self, "no HTTP answer at all") { try await forge.appRequest(.GET, "/app") }
            #expect(try await forge.appRequest(.GET, "/app").status == 200)
            #expect(try await forge.stats().faultsInjected == 1)
        }
    }
}
