import Foundation
import HTTPTypes
import Hummingbird

/// Turns a scripted `FaultPlan` into the response GitHub would send in that situation.
enum FaultResponder {
    static func response(for plan: FaultPlan, status code: Int, installationID: Int?) -> Response {
        let status = HTTPResponse.Status(code: code)
        var headers: HTTPFields = [:]
        if let retryAfter = plan.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let reset = plan.rateLimitReset {
            headers[.rateLimitRemaining] = "0"
            headers[.rateLimitReset] = String(reset)
            let who = installationID.map { "installation ID \($0)" } ?? "this installation"
            return APIResponse.error(status, "API rate limit exceeded for \(who).", documentationURL: APIResponse.Docs.rateLimits, headers: headers)
        }
        if plan.retryAfter != nil && (code == 403 || code == 429) {
            return APIResponse.error(status,
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
                documentationURL: APIResponse.Docs.secondaryRateLimits, headers: headers)
        }
        let message: String
        switch code {
        case 401: message = "Bad credentials"
        case 403: message = "Resource not accessible by integration"
        case 404: message = "Not Found"
        case 422: message = "Validation Failed"
        case 429: message = "Too Many Requests"
        case 500: message = "Server Error"
        case 502: message = "Server Error"
        case 503: message = "Service Unavailable"
        default: message = status.reasonPhrase.isEmpty ? "Error" : status.reasonPhrase
        }
        return APIResponse.error(status, message, headers: headers)
    }
}
