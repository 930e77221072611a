import Foundation

/// One attempt to deliver an event, as `GET /app/hook/deliveries` reports it. A redelivery is
/// a new attempt (new id) with the same `guid`.
struct WebhookDelivery: Sendable {
    var id: Int
    var guid: String
    var deliveredAt: Date
    var redelivery: Bool
    /// Seconds from sending to the end of the response (or the failure).
    var duration: Double
    /// `OK` for a 2xx answer, `Invalid HTTP Response: CODE` otherwise, or what went wrong.
    var status: String
    /// 0 when no HTTP answer came back.
    var statusCode: Int
    var event: String
    var action: String?
    var installationID: Int?
    var repositoryID: Int?
    var url: String
    /// The headers sent, signature included (the secret never is).
    var requestHeaders: [(String, String)]
    var payload: [UInt8]
    var responseHeaders: [(String, String)]
    var responseBody: String

    var succeeded: Bool { (200..<300).contains(statusCode) }
}
