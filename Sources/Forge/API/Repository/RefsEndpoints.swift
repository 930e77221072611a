import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `GET /repos/{o}/{r}/git/ref/{heads|tags}/{name}` and `DELETE /repos/{o}/{r}/git/refs/…`
/// (deleting a branch needs `contents: write`, or push access for a user).
extension RepositoryAPI {
    func getRef(_ request: RepositoryRequest, ref: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.getRef
        try request.require(Need([("contents", "read")], documentationURL: docs), metadata: await state.metadata)
        guard Self.isBranchOrTag(ref), let sha = await GitQueries.resolve("refs/\(ref)", in: request.bare) else {
            throw request.notFound(docs)
        }
        let api = "\(request.urls.api)/repos/\(request.repository.fullName)"
        return APIResponse.json(.ok, [
            "ref": .string("refs/\(ref)"),
            "node_id": .string("REF_forge\(request.repository.id)_\(ref)"),
            "url": .string("\(api)/git/refs/\(ref)"),
            "object": ["sha": .string(sha), "type": "commit", "url": .string("\(api)/git/commits/\(sha)")],
        ])
    }

    func deleteRef(_ request: RepositoryRequest, ref: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.deleteRef
        try request.require(Need([("contents", "write")], role: .write, documentationURL: docs), metadata: await state.metadata)
        let missing = APIFailure(APIResponse.error(.unprocessableContent, "Reference does not exist", documentationURL: docs))
        guard Self.isBranchOrTag(ref) else { throw missing }
        let deleted: Bool
        do {
            deleted = try await GitQueries.deleteRef("refs/\(ref)", in: request.bare)
        } catch {
            throw APIFailure(APIResponse.error(.internalServerError, "Server Error", documentationURL: docs))
        }
        guard deleted else { throw missing }
        logger.info("deleted ref", metadata: ["repository": "\(request.repository.fullName)", "ref": "refs/\(ref)", "by": "\(request.caller.logDescription)"])
        return APIResponse.noContent()
    }

    private static func isBranchOrTag(_ ref: String) -> Bool {
        (ref.hasPrefix("heads/") || ref.hasPrefix("tags/")) && GitQueries.isPlausibleRef(ref)
    }
}
