import HTTPTypes
import Hummingbird

/// The App's webhook deliveries: `GET /app/hook/deliveries` (newest first, `per_page`,
/// `status=success|failure`), `GET /app/hook/deliveries/{id}`, and
/// `POST /app/hook/deliveries/{id}/attempts` (202; the same GUID is sent again). Reached with
/// the App's JWT, and from `/_forge/hook/deliveries` without it.
struct HookDeliveriesAPI: Sendable {
    let webhooks: WebhookDispatcher

    func list(query: [String: String], url: String) async -> Response {
        var deliveries = await webhooks.list()
        switch query["status"] {
        case "success"?: deliveries = deliveries.filter(\.succeeded)
        case "failure"?: deliveries = deliveries.filter { !$0.succeeded }
        default: break
        }
        let pagination = Pagination(perPage: query["per_page"], page: query["page"])
        var headers: HTTPFields = [:]
        if let link = pagination.linkHeader(total: deliveries.count, url: url) { headers[.link] = link }
        return APIResponse.json(.ok, .array(pagination.slice(deliveries).map(HookDeliverySchema.item)), headers: headers)
    }

    func get(id segment: String) async -> Response {
        guard let id = Int(segment), let delivery = await webhooks.delivery(id: id) else {
            return APIResponse.notFound(documentationURL: APIResponse.Docs.getDelivery)
        }
        return APIResponse.json(.ok, HookDeliverySchema.full(delivery))
    }

    func redeliver(id segment: String) async -> Response {
        guard let id = Int(segment), await webhooks.redeliver(id: id) else {
            return APIResponse.notFound(documentationURL: APIResponse.Docs.redeliver)
        }
        return APIResponse.json(.accepted, [:])
    }
}
