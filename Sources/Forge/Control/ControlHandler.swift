import Foundation
import HTTPTypes
import Hummingbird

/// The forge-only `/_forge/*` endpoints tests use to observe and steer the forge: counters,
/// scripted faults, repository renames, the webhook's URL and secret, its deliveries, and
/// installation changes. No authentication, so loopback peers only.
struct ControlHandler: Sendable {
    let state: ForgeState
    let webhooks: WebhookDispatcher
    let deliveries: HookDeliveriesAPI

    func handle(method: HTTPRequest.Method, path: String, query: [String: String], origin: ForgeURLs, body: [UInt8],
                context: ForgeRequestContext) async -> Response {
        guard context.isLoopbackPeer else {
            return APIResponse.error(.forbidden, "The forge control endpoints answer loopback clients only.")
        }
        let segments = path.split(separator: "/").map(String.init)
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
        case (.get, "/_forge/webhook"):
            return await webhookStatus()
        case (.put, "/_forge/webhook"):
            return await configureWebhook(body, urls: origin)
        case (.delete, "/_forge/webhook"):
            do {
                try await webhooks.configure(nil)
            } catch {
                return APIResponse.error(.internalServerError, "cannot remove the webhook settings: \(error)")
            }
            return APIResponse.noContent()
        case (.get, "/_forge/hook/deliveries"):
            return await deliveries.list(query: query, url: "\(origin.api)/_forge/hook/deliveries")
        case (.get, _) where segments.count == 4 && segments.starts(with: ["_forge", "hook", "deliveries"]):
            return await deliveries.get(id: segments[3])
        case (.post, _) where segments.count == 5 && segments.starts(with: ["_forge", "hook", "deliveries"]) && segments[4] == "attempts":
            return await deliveries.redeliver(id: segments[3])
        case (.post, _) where segments.count == 4 && segments[0...1] == ["_forge", "installations"] && segments[3] == "repositories":
            return await changeInstallation(segments[2], body: body, urls: origin)
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

    // MARK: Webhook

    /// `{url, signed, hookId, pending}`: never the secret.
    private func webhookStatus() async -> Response {
        let settings = await webhooks.current
        return APIResponse.json(.ok, [
            "url": .optional(settings?.url),
            "signed": .bool(settings?.secret != nil),
            "hookId": .int(webhooks.hookID),
            "pending": .int(await webhooks.pending),
        ])
    }

    /// `PUT {"url": "...", "secret": "..."}`: points the hook at a receiver started after the
    /// forge (a control plane under test), persists it, and sends a `ping` there.
    private func configureWebhook(_ body: [UInt8], urls: ForgeURLs) async -> Response {
        guard let json = try? JSONValue.parse(body), let url = json["url"]?.stringValue else {
            return APIResponse.error(.badRequest, "Expected {\"url\": \"http://HOST:PORT/PATH\", \"secret\": \"...\"} (secret optional: without it deliveries are unsigned)")
        }
        let settings: WebhookSettings
        do {
            settings = try WebhookSettings(url: url, secret: json["secret"]?.stringValue)
        } catch {
            return APIResponse.error(.unprocessableContent, error.description)
        }
        do {
            try await webhooks.configure(settings)
        } catch {
            return APIResponse.error(.internalServerError, "cannot save the webhook settings: \(error)")
        }
        let snapshot = await state.snapshot(urls: urls)
        await webhooks.emit("ping", action: nil, payload: WebhookPayloadSchema.ping(hookID: webhooks.hookID, url: url, in: snapshot),
                            installationID: nil, repositoryID: nil)
        return await webhookStatus()
    }

    /// `POST {"add": ["owner/name"], "remove": [...]}`: changes an installation's repositories
    /// and delivers `installation_repositories` (`added`, then `removed`), as GitHub does.
    private func changeInstallation(_ segment: String, body: [UInt8], urls: ForgeURLs) async -> Response {
        guard let id = Int(segment), let json = try? JSONValue.parse(body) else {
            return APIResponse.error(.badRequest, "Expected POST /_forge/installations/ID/repositories with {\"add\": [\"owner/name\"], \"remove\": [\"owner/name\"]}")
        }
        let add = json["add"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let remove = json["remove"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let change: (installation: InstallationRecord, added: [RepositoryRecord], removed: [RepositoryRecord])
        do {
            change = try await state.changeRepositories(ofInstallation: id, add: add, remove: remove)
        } catch .unknownInstallation {
            return APIResponse.notFound()
        } catch {
            guard case .foreignRepository(let name) = error else { return APIResponse.notFound() }
            return APIResponse.error(.unprocessableContent, "\(name) is not a repository of the installation's account")
        }
        let snapshot = await state.snapshot(urls: urls)
        for (action, added, removed) in [("added", change.added, [RepositoryRecord]()), ("removed", [], change.removed)] where !(added + removed).isEmpty {
            await webhooks.emit("installation_repositories", action: action,
                                payload: WebhookPayloadSchema.installationRepositories(action: action, installation: change.installation,
                                                                                       added: added, removed: removed, in: snapshot),
                                installationID: id, repositoryID: nil)
        }
        return APIResponse.json(.ok, [
            "id": .int(id),
            "repos": .array(snapshot.metadata.repositories(of: change.installation).map { .string($0.fullName) }),
        ])
    }
}
