import Foundation
import GitHubApp
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Storage

/// `POST /webhooks/github`: verify, record, answer — within GitHub's 10 s — and hand the work on.
///
/// - Only `X-Hub-Signature-256` counts, checked in constant time over the raw body before anything
///   else is read: a missing or wrong signature is 401 and nothing happens.
/// - Bodies over GitHub's 25 MB cap are 413; a body that is not JSON is 415 (wrong content type)
///   or 400 (unreadable).
/// - The delivery is recorded by `X-GitHub-Delivery`, with its state, before the answer: 202 when
///   a run was queued. A redelivery of a finished one is acknowledged and ignored; one whose work
///   never finished (a crash) is resumed. A second delivery of the same comment is ignored.
struct WebhookReceiver: Sendable {
    let signature: WebhookSignature
    let queue: BotQueue
    let context: BotContext
    let identity: BotIdentity

    func receive(_ request: Request) async -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > BotSettings.maximumBodyBytes {
            return answer(.contentTooLarge, "body is \(length) bytes; GitHub's limit is \(BotSettings.maximumBodyBytes)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: BotSettings.maximumBodyBytes)
        } catch {
            return answer(.contentTooLarge, "body exceeds GitHub's limit of \(BotSettings.maximumBodyBytes) bytes")
        }
        let bytes = Array(body.readableBytesView)
        guard signature.isValid(request.headers[Self.signatureHeader], body: bytes) else {
            return answer(.unauthorized, request.headers[Self.signatureHeader] == nil
                ? "X-Hub-Signature-256 is missing (X-Hub-Signature, SHA-1, is not accepted)" : "X-Hub-Signature-256 does not match")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            return answer(.unsupportedMediaType, "the webhook's content type must be application/json")
        }
        guard let event = request.headers[Self.eventHeader], !event.isEmpty,
              let deliveryID = request.headers[Self.deliveryHeader], !deliveryID.isEmpty, deliveryID.count <= 100 else {
            return answer(.badRequest, "X-GitHub-Event and X-GitHub-Delivery are required")
        }
        let payload: WebhookPayload
        do {
            payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(bytes))
        } catch {
            return answer(.badRequest, "the body is not a GitHub webhook payload: \(error)")
        }
        let mention: Mention
        do {
            mention = try await identity.mention()
        } catch {
            return answer(.serviceUnavailable, "cannot learn the App's slug from GitHub (\(error)); set NETCLODE_BOT_MENTION or retry")
        }
        let intent = WebhookIntent.of(event: event, payload: payload, mention: mention)
        var record = WebhookDeliveryRecord(
            id: deliveryID, event: event, action: payload.action, triggerKey: nil, conversation: nil, state: .ignored,
            payload: bytes, receivedAt: Date(), updatedAt: Date())
        switch intent {
        case .run(let trigger):
            (record.triggerKey, record.conversation, record.state) = (trigger.key, trigger.conversation, .queued)
        case .installationChanged(let owners):
            record.outcome = "installation changed: \(owners.joined(separator: ", "))"
        case .ignore(let reason):
            record.outcome = "ignored: \(reason)"
        }
        let claim: WebhookDeliveryClaim
        do {
            claim = try await context.store.claim(record)
        } catch {
            context.logger.error("bot: recording delivery \(deliveryID) failed: \(error)")
            return answer(.serviceUnavailable, "the delivery could not be recorded; GitHub can redeliver it")
        }
        switch claim {
        case .recorded:
            return await act(on: intent, record)
        case .sameDelivery(let earlier):
            guard earlier.state.isUnfinished else { return answer(.ok, "delivery \(deliveryID) was handled already: \(earlier.outcome ?? earlier.state.rawValue)") }
            if await queue.isHandling(deliveryID) { return answer(.accepted, "delivery \(deliveryID) is in progress") }
            guard case .run(let trigger) = intent else { return answer(.ok, "nothing to resume") }
            Task { await queue.submit(earlier, trigger, resumed: true) }
            return answer(.accepted, "delivery \(deliveryID) never finished: resumed")
        case .sameTrigger(let earlier):
            return answer(.ok, "this comment was delivered before as \(earlier.id); ignored")
        }
    }

    private func act(on intent: WebhookIntent, _ record: WebhookDeliveryRecord) async -> Response {
        switch intent {
        case .run(let trigger):
            context.logger.info("bot: \(trigger.conversation) asked by \(trigger.sender)", metadata: ["delivery": "\(record.id)"])
            // The queue may comment (queued, refused): never on the webhook's clock.
            Task { await queue.submit(record, trigger) }
            return answer(.accepted, "queued")
        case .installationChanged(let owners):
            for owner in owners { await context.broker.forgetInstallation(of: owner) }
            return answer(.ok, "installation cache refreshed for \(owners.joined(separator: ", "))")
        case .ignore(let reason):
            return answer(.ok, "ignored: \(reason)")
        }
    }

    private func answer(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let object = ["message": message]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let signatureHeader = HTTPField.Name("X-Hub-Signature-256")!
    static let eventHeader = HTTPField.Name("X-GitHub-Event")!
    static let deliveryHeader = HTTPField.Name("X-GitHub-Delivery")!
}
