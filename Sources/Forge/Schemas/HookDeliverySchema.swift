import Foundation

/// GitHub's `hook-delivery-item` (the list) and `hook-delivery` (one, with request and response).
enum HookDeliverySchema {
    static func item(_ delivery: WebhookDelivery) -> JSONValue {
        [
            "id": .int(delivery.id),
            "guid": .string(delivery.guid),
            "delivered_at": .string(GitHubTime.string(from: delivery.deliveredAt)),
            "redelivery": .bool(delivery.redelivery),
            "duration": .double(delivery.duration),
            "status": .string(delivery.status),
            "status_code": .int(delivery.statusCode),
            "event": .string(delivery.event),
            "action": .optional(delivery.action),
            "installation_id": delivery.installationID.map(JSONValue.int) ?? nil,
            "repository_id": delivery.repositoryID.map(JSONValue.int) ?? nil,
            "throttled_at": nil,
        ]
    }

    static func full(_ delivery: WebhookDelivery) -> JSONValue {
        guard case .object(var fields) = item(delivery) else { return item(delivery) }
        fields += [
            ("url", .string(delivery.url)),
            ("request", [
                "headers": .object(delivery.requestHeaders.map { ($0.0, .string($0.1)) }),
                "payload": (try? JSONValue.parse(delivery.payload)) ?? nil,
            ]),
            ("response", [
                "headers": .object(delivery.responseHeaders.map { ($0.0, .string($0.1)) }),
                "payload": .string(delivery.responseBody),
            ]),
        ]
        return .object(fields)
    }
}
