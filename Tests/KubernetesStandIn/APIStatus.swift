import KubernetesRuntime

/// The `Status` bodies the API server answers errors with, as recorded from real servers
/// (reference: kubernetes-api/status-409-already-exists.jsonl): `kind`, `apiVersion`, empty
/// `metadata`, `status: Failure`, `message`, `reason`, `details` (`name`, `kind`, no `group` for
/// the core group), and `code` equal to the HTTP status.
struct APIStatus: Error, Sendable {
    let code: Int
    let reason: String
    let message: String
    var details: JSONValue?

    var body: JSONValue {
        .object(omittingNil: [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string(message), "reason": .string(reason), "details": details, "code": .int(code),
        ])
    }

    static func alreadyExists(_ resource: StandInResource, _ name: String) -> APIStatus {
        APIStatus(code: 409, reason: "AlreadyExists", message: "\(resource.rawValue) \"\(name)\" already exists",
                  details: ["name": .string(name), "kind": .string(resource.rawValue)])
    }

    static func notFound(_ resource: StandInResource, _ name: String) -> APIStatus {
        APIStatus(code: 404, reason: "NotFound", message: "\(resource.rawValue) \"\(name)\" not found",
                  details: ["name": .string(name), "kind": .string(resource.rawValue)])
    }

    /// 422 with the fields at fault, as validation answers.
    static func invalid(_ resource: StandInResource, _ name: String, causes: [(field: String, message: String)]) -> APIStatus {
        let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        return APIStatus(code: 422, reason: "Invalid", message: "\(resource.kind) \"\(name)\" is invalid: \(summary)",
                         details: ["name": .string(name), "kind": .string(resource.kind),
                                   "causes": .array(causes.map { ["reason": "FieldValueInvalid", "message": .string($0.message), "field": .string($0.field)] })])
    }

    static func badRequest(_ message: String) -> APIStatus {
        APIStatus(code: 400, reason: "BadRequest", message: message)
    }

    static func forbidden(_ message: String) -> APIStatus {
        APIStatus(code: 403, reason: "Forbidden", message: message)
    }

    static let unauthorized = APIStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

    static func expired(_ message: String) -> APIStatus {
        APIStatus(code: 410, reason: "Expired", message: message)
    }

    static let pathNotFound = APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
}
