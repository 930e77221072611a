import Foundation
import HTTPTypes
import Hummingbird

/// The forge-only `/_forge/*` endpoints tests use to observe and steer the forge: counters,
/// scripted faults, repository renames. No authentication, so loopback peers only.
struct ControlHandler: Sendable {
    let state: ForgeState

    func handle(method: HTTPRequest.Method, path: String, body: [UInt8], context: ForgeRequestContext) async -> Response {
        guard context.isLoopbackPeer else {
            return APIResponse.error(.forbidden, "The forge control endpoints answer loopback clients only.")
        }
        switch (method, path) {
        case (.get, "/_forge/stats"):
            return APIResponse.json(.ok, await state.stats.json)
        case (.post, "/_forge/stats/reset"):
            await state.resetStats()
            return APIResponse.noContent()
        case (.post, "/_forge/faults"):
            guard let json = try? JSONValue.parse(body), let plan = FaultPlan(json: json) else {
                return APIResponse.error(.badRequest,
                    "Expected {\"count\": N >= 1, \"status\": 100...599?, \"retryAfter\"?, \"rateLimitReset\"?, \"delayMs\"?, \"pathPrefix\"?, \"reset\": true?} with a status, a delayMs or a reset (not both a status and a reset)")
            }
            await state.addFault(plan)
            return APIResponse.noContent()
        case (.delete, "/_forge/faults"):
            await state.clearFaults()
            return APIResponse.noContent()
        case (.post, "/_forge/repos/rename"):
            return await rename(body)
        default:
            return APIResponse.notFound()
        }
    }

    private func rename(_ body: [UInt8]) async -> Response {
        guard let json = try? JSONValue.parse(body), let from = json["from"]?.stringValue, let to = json["to"]?.stringValue else {
            return APIResponse.error(.badRequest, "Expected {\"from\": \"owner/name\", \"to\": \"owner/newname\"}")
        }
        let fromParts = from.split(separator: "/").map(String.init)
        let toParts = to.split(separator: "/").map(String.init)
        guard fromParts.count == 2, toParts.count == 2, toParts[0].caseInsensitiveCompare(fromParts[0]) == .orderedSame else {
            return APIResponse.error(.unprocessableContent, "A repository can be renamed within its owner only: give owner/name for both.")
        }
        do {
            let renamed = try await state.renameRepository(from: (fromParts[0], fromParts[1]), toName: toParts[1])
            return APIResponse.json(.ok, ["full_name": .string(renamed.fullName), "id": .int(renamed.id)])
        } catch .notFound {
            return APIResponse.notFound()
        } catch .exists {
            return APIResponse.error(.unprocessableContent, "\(to) already exists")
        } catch {
            if case .invalidName(let problem) = error { return APIResponse.error(.unprocessableContent, problem) }
            return APIResponse.notFound()
        }
    }
}
