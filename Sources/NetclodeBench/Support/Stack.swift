import Foundation
import NetclodeClient
import TestSupport

/// A forge and a `netclode serve` pointed at it, both real processes of the release binary next
/// to the benchmark, started through the end-to-end tests' harness (free ports on 127.0.0.1,
/// temporary data directories, ready lines).
struct Stack: Sendable {
    let forge: ForgeProcess?
    let controlPlane: ControlPlaneProcess
    let api: SessionClient

    /// `forge` nil: a control plane without GitHub (sessions without repositories only).
    static func start(_ context: BenchContext, forge setup: ForgeProcess.Setup?, environment extra: [String: String] = [:]) async throws -> Stack {
        var forge: ForgeProcess?
        if var setup {
            setup.logLevel = context.logLevel
            forge = try await ForgeProcess.start(setup)
            ChildCleanup.register(forge!.processIdentifier)
        }
        do {
            var environment = forge.map(ControlPlaneProcess.githubEnvironment(for:)) ?? [:]
            environment.merge(extra) { _, new in new }
            let controlPlane = try await ControlPlaneProcess.start(environment: environment, logLevel: context.logLevel)
            ChildCleanup.register(controlPlane.processIdentifier)
            return Stack(forge: forge, controlPlane: controlPlane,
                         api: SessionClient(baseURL: controlPlane.baseURL, token: ControlPlaneProcess.apiToken))
        } catch {
            await forge?.stop()
            throw error
        }
    }

    /// Stops both processes and removes their directories.
    func stop() async {
        await controlPlane.remove()
        ChildCleanup.unregister(controlPlane.processIdentifier)
        await forge?.stop()
        if let forge { ChildCleanup.unregister(forge.processIdentifier) }
    }

    /// Runs `body` on a started stack and stops it afterwards, whatever `body` does.
    static func with<T>(_ context: BenchContext, forge setup: ForgeProcess.Setup?, environment: [String: String] = [:],
                        _ body: (Stack) async throws -> T) async throws -> T {
        let stack = try await start(context, forge: setup, environment: environment)
        do {
            let value = try await body(stack)
            await stack.stop()
            return value
        } catch {
            await stack.stop()
            throw error
        }
    }
}

extension ForgeProcess.Setup {
    /// A setup with the given repositories and imports and nothing else.
    static func bench(repos: [String] = [], imports: [String] = [], tokenTTL: Int? = nil) -> Self {
        ForgeProcess.Setup(repos: repos, imports: imports, tokenTTL: tokenTTL)
    }
}
