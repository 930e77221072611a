import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Delivers the App's webhook events the way GitHub does: one POST per event to the configured
/// URL, after the API call that caused it, with GitHub's headers and signatures, a 10 s timeout,
/// no automatic retry, every attempt recorded for `GET /app/hook/deliveries` and redeliverable
/// (same `X-GitHub-Delivery` GUID) through `POST /app/hook/deliveries/{id}/attempts`.
actor WebhookDispatcher {
    /// What one attempt sends.
    struct Event: Sendable {
        var guid: String
        var name: String
        var action: String?
        var installationID: Int?
        var repositoryID: Int?
        var payload: [UInt8]
    }

    /// GitHub gives up on a receiver after 10 s. `NETCLODE_FORGE_WEBHOOK_TIMEOUT` (seconds)
    /// lengthens it for test suites on a saturated machine, where a receiver in a busy test
    /// process can take longer to answer than any real one would be given.
    static let timeout: TimeAmount = .seconds(
        ProcessInfo.processInfo.environment["NETCLODE_FORGE_WEBHOOK_TIMEOUT"].flatMap { Int64($0) }.map { max($0, 1) } ?? 10)

    private var settings: WebhookSettings?
    private let layout: ForgeLayout
    private let appID: Int
    private let logger: Logger
    /// Attempts in order, the last `keep`; the list endpoint shows them newest first.
    private var deliveries: [WebhookDelivery] = []
    private let keep = 1_000
    private var lastDeliveryID = 7_000_000_000
    /// Attempts started but not recorded yet, so tests can wait for quiet.
    private(set) var pending = 0

    /// Deliveries do not follow redirects (GitHub's neither); one client for the process's life.
    private static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                           configuration: .init(redirectConfiguration: .disallow))

    init(settings: WebhookSettings?, layout: ForgeLayout, appID: Int, logger: Logger) {
        self.settings = settings
        self.layout = layout
        self.appID = appID
        self.logger = logger
    }

    /// The hook's id (`X-GitHub-Hook-ID`, `hook_id`): stable per App.
    nonisolated var hookID: Int { 400_000_000 + appID }

    var current: WebhookSettings? { settings }

    /// Points the hook elsewhere (or nowhere) and persists that.
    func configure(_ settings: WebhookSettings?) throws {
        if let settings { try settings.save(to: layout) } else { try WebhookSettings.remove(from: layout) }
        self.settings = settings
        logger.info("webhook configured", metadata: ["url": "\(settings?.url ?? "none")", "signed": "\(settings?.secret != nil)"])
    }

    /// Queues one event for delivery; nothing happens without a configured URL (an App without
    /// a webhook gets no deliveries).
    func emit(_ name: String, action: String?, payload: JSONValue, installationID: Int?, repositoryID: Int?) {
        guard settings != nil else { return }
        let event = Event(guid: UUID().uuidString.lowercased(), name: name, action: action, installationID: installationID,
                          repositoryID: repositoryID, payload: payload.serialized())
        attempt(event, redelivery: false)
    }

    /// Sends a recorded delivery again (same GUID and body, `redelivery: true`, signed with the
    /// current secret); false for an unknown id.
    func redeliver(id: Int) -> Bool {
        guard settings != nil, let delivery = deliveries.first(where: { $0.id == id }) else { return false }
        attempt(Event(guid: delivery.guid, name: delivery.event, action: delivery.action, installationID: delivery.installationID,
                      repositoryID: delivery.repositoryID, payload: delivery.payload), redelivery: true)
        return true
    }

    func list() -> [WebhookDelivery] { deliveries.reversed() }

    func delivery(id: Int) -> WebhookDelivery? { deliveries.first { $0.id == id } }

    private func attempt(_ event: Event, redelivery: Bool) {
        guard let settings else { return }
        pending += 1
        let headers = headers(for: event, secret: settings.secret)
        Task {
            let outcome = await Self.post(event.payload, to: settings.url, headers: headers)
            self.record(event, redelivery: redelivery, url: settings.url, headers: headers, outcome: outcome)
        }
    }

    private func headers(for event: Event, secret: String?) -> [(String, String)] {
        var headers: [(String, String)] = [
            ("Content-Type", "application/json"),
            ("User-Agent", "GitHub-Hookshot/\(String(hookID, radix: 16))"),
            ("X-GitHub-Delivery", event.guid),
            ("X-GitHub-Event", event.name),
            ("X-GitHub-Hook-ID", String(hookID)),
            ("X-GitHub-Hook-Installation-Target-ID", String(appID)),
            ("X-GitHub-Hook-Installation-Target-Type", "integration"),
        ]
        if let secret {
            headers.append(("X-Hub-Signature", WebhookSignature.sha1(event.payload, secret: secret)))
            headers.append(("X-Hub-Signature-256", WebhookSignature.sha256(event.payload, secret: secret)))
        }
        return headers
    }

    private func record(_ event: Event, redelivery: Bool, url: String, headers: [(String, String)], outcome: Outcome) {
        pending -= 1
        lastDeliveryID += 1
        let delivery = WebhookDelivery(
            id: lastDeliveryID, guid: event.guid, deliveredAt: outcome.started, redelivery: redelivery, duration: outcome.duration,
            status: outcome.status, statusCode: outcome.statusCode, event: event.name, action: event.action,
            installationID: event.installationID, repositoryID: event.repositoryID, url: url, requestHeaders: headers,
            payload: event.payload, responseHeaders: outcome.headers, responseBody: outcome.body)
        deliveries.append(delivery)
        if deliveries.count > keep { deliveries.removeFirst(deliveries.count - keep) }
        let metadata: Logger.Metadata = [
            "delivery": "\(delivery.id)", "guid": "\(event.guid)", "event": "\(event.name)", "action": "\(event.action ?? "-")",
            "status": "\(outcome.status)", "redelivery": "\(redelivery)",
        ]
        if delivery.succeeded { logger.info("webhook delivered", metadata: metadata) } else { logger.warning("webhook delivery failed", metadata: metadata) }
    }

    // MARK: HTTP

    struct Outcome: Sendable {
        var started: Date
        var duration: Double
        var status: String
        var statusCode: Int
        var headers: [(String, String)]
        var body: String
    }

    private static func post(_ payload: [UInt8], to url: String, headers: [(String, String)]) async -> Outcome {
        let started = Date()
        let clock = ContinuousClock.now
        func seconds() -> Double {
            let elapsed = ContinuousClock.now - clock
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: payload))
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Keep the first 64 KB of the answer for the delivery record; drain the rest.
            var body = ByteBuffer()
            for try await var chunk in response.body where body.readableBytes < 64 << 10 {
                body.writeBuffer(&chunk)
            }
            let code = Int(response.status.code)
            return Outcome(started: started, duration: seconds(),
                           status: (200..<300).contains(code) ? "OK" : "Invalid HTTP Response: \(code)", statusCode: code,
                           headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: body))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return Outcome(started: started, duration: seconds(), status: "timed out", statusCode: 0, headers: [], body: "")
        } catch {
            return Outcome(started: started, duration: seconds(), status: "failed to connect to host: \(error)", statusCode: 0, headers: [], body: "")
        }
    }
}
