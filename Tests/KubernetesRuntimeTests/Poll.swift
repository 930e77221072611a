/// Polls `probe` every 50 ms until it answers or `timeout` (generous: a loaded CI machine) runs
/// out, then throws naming `what`.
func poll<T>(timeout: Duration = .seconds(60), _ what: () async -> String, _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { throw PollTimeout(description: "timed out after \(timeout) waiting for \(await what())") }
        try await Task.sleep(for: .milliseconds(50))
    }
}

struct PollTimeout: Error, CustomStringConvertible {
    let description: String
}
