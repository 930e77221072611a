import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport

/// Plain GETs of the unauthenticated observability endpoints, as a probe or scraper sends them
/// (no Authorization header).
extension ControlPlaneProcess {
    struct PlainResponse {
        let status: Int
        let contentType: String?
        let body: String
    }

    func get(_ path: String) async throws -> PlainResponse {
        let request = HTTPClientRequest(url: baseURL.absoluteString + path)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 8 << 20)
        return PlainResponse(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                             body: String(buffer: body))
    }

    /// `/metrics`, parsed strictly.
    func metrics() async throws -> PrometheusText {
        let response = try await get("/metrics")
        guard response.status == 200 else { throw PrometheusText.ParseError(line: 0, reason: "HTTP \(response.status)", text: response.body) }
        guard response.contentType == "text/plain; version=0.0.4; charset=utf-8" else {
            throw PrometheusText.ParseError(line: 0, reason: "not the Prometheus text content type", text: response.contentType ?? "none")
        }
        return try PrometheusText(response.body)
    }

    /// Scrapes until `condition` holds (the server updates some series just after answering).
    func metrics(within timeout: Duration = .seconds(20), until condition: (PrometheusText) -> Bool) async throws -> PrometheusText {
        let deadline = ContinuousClock.now + timeout
        while true {
            let metrics = try await metrics()
            if condition(metrics) || ContinuousClock.now > deadline { return metrics }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
