import HTTPTypes

/// A REST request's JSON object, read with GitHub's rules: a body that is not a JSON object is
/// 400 `Problems parsing JSON`; a required field that is missing, or a field of the wrong type,
/// is 422 `Invalid request.` naming the field, as GitHub's schema validation words it.
struct JSONBody: Sendable {
    let json: JSONValue
    let documentationURL: String

    init(_ bytes: [UInt8], documentationURL: String) throws(APIFailure) {
        self.documentationURL = documentationURL
        let trimmed = bytes.filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        guard !trimmed.isEmpty else {
            json = [:]
            return
        }
        guard let parsed = try? JSONValue.parse(bytes), case .object = parsed else {
            throw APIFailure(APIResponse.error(.badRequest, "Problems parsing JSON", documentationURL: documentationURL))
        }
        json = parsed
    }

    func requiredString(_ key: String) throws(APIFailure) -> String {
        guard let value = try string(key) else {
            throw invalid("\"\(key)\" wasn't supplied.")
        }
        return value
    }

    /// The string at `key`; `nil` when absent or `null`.
    func string(_ key: String) throws(APIFailure) -> String? {
        switch json[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw invalid("For 'properties/\(key)', \(other.jsonString) is not a string.")
        }
    }

    func bool(_ key: String) throws(APIFailure) -> Bool? {
        switch json[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw invalid("For 'properties/\(key)', \(other.jsonString) is not a boolean.")
        }
    }

    func int(_ key: String) throws(APIFailure) -> Int? {
        switch json[key] {
        case nil, .null?: return nil
        case let value? where value.intValue != nil: return value.intValue
        case let other?: throw invalid("For 'properties/\(key)', \(other.jsonString) is not an integer.")
        }
    }

    private func invalid(_ detail: String) -> APIFailure {
        APIFailure(APIResponse.error(.unprocessableContent, "Invalid request.\n\n\(detail)", documentationURL: documentationURL))
    }
}
