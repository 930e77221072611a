/// Counters the tests read through `GET /_forge/stats`, e.g. to prove a token was cached
/// rather than minted again.
struct ForgeStats: Sendable {
    var mints = 0
    var revocations = 0
    var installationLookups = 0
    var gitRequests = 0
    var apiRequests = 0
    var faultsInjected = 0
    var mintsByInstallation: [Int: Int] = [:]

    var json: JSONValue {
        [
            "mints": .int(mints),
            "revocations": .int(revocations),
            "installationLookups": .int(installationLookups),
            "gitRequests": .int(gitRequests),
            "apiRequests": .int(apiRequests),
            "faultsInjected": .int(faultsInjected),
            "mintsByInstallation": .object(mintsByInstallation.sorted { $0.key < $1.key }.map { (String($0.key), .int($0.value)) }),
        ]
    }
}
