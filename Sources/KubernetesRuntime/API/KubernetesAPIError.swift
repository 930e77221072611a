import Foundation

/// An answer of the API server that is not a success, or a failure to get one, in words an
/// operator can act on: the HTTP status, the `Status` reason and message the server gave, and what
/// was asked (`POST /api/v1/namespaces/netclode/pods`).
public struct KubernetesAPIError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The HTTP status (or, in a watch, the `ERROR` event's `code`); 0 when no answer came.
    public let code: Int
    /// The `Status` reason, e.g. `AlreadyExists`; empty when the body was not a `Status`.
    public let reason: String
    public let message: String
    /// `VERB path` of the request.
    public let request: String

    public init(code: Int, reason: String, message: String, request: String) {
        self.code = code
        self.reason = reason
        self.message = message
        self.request = request
    }

    public var isNotFound: Bool { code == 404 }
    public var isAlreadyExists: Bool { code == 409 && reason == "AlreadyExists" }
    /// A resourceVersion (or `continue` token) too old to watch or list from: relist.
    public var isExpired: Bool { code == 410 }
    /// RBAC said no, or the credentials are not accepted: no retry helps.
    public var isDenied: Bool { code == 401 || code == 403 }

    public var description: String {
        let what = reason.isEmpty ? "HTTP \(code)" : "\(code) \(reason)"
        switch code {
        case 0: return "the Kubernetes API did not answer \(request): \(message)"
        case 401: return "the Kubernetes API refused the credentials (\(what)) for \(request): \(message); check the service account token or the kubeconfig's user"
        case 403: return "the Kubernetes API forbids \(request) (\(what)): \(message); the control plane's Role must allow it (see deploy/kubernetes)"
        default: return "the Kubernetes API answered \(request) with \(what): \(message)"
        }
    }

    /// The error an answer's body describes: its `Status` when it is one, else its first line.
    static func from(code: Int, body: Data, request: String) -> KubernetesAPIError {
        if let status = try? JSONDecoder().decode(KubernetesStatus.self, from: body), status.kind == "Status" || status.reason != nil {
            var message = status.message ?? ""
            if let causes = status.details?.causes, !causes.isEmpty {
                message += " (" + causes.map { [$0.field, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ") + ")"
            }
            return KubernetesAPIError(code: status.code ?? code, reason: status.reason ?? "", message: message, request: request)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return KubernetesAPIError(code: code, reason: "", message: text.isEmpty ? "(empty body)" : text, request: request)
    }
}
