import Foundation
import HTTPTypes
import Hummingbird

/// `GET /repos/{o}/{r}/collaborators/{user}/permission`: what a person may do on the
/// repository, as a bot checks before acting on a comment.
extension RepositoryAPI {
    func collaboratorPermission(_ request: RepositoryRequest, login: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.collaboratorPermission
        let metadata = await state.metadata
        // Installations need `metadata: read` (every token has it); a person needs push access.
        try request.require(Need([("metadata", "read")], role: .write, documentationURL: docs,
                                 userDenial: "Must have push access to view collaborator permission."), metadata: metadata)
        guard let account = metadata.account(login: login) else { throw request.notFound(docs) }
        let role = metadata.role(of: account.login, on: request.repository)
        let snapshot = await snapshot(request)
        return APIResponse.json(.ok, CollaboratorPermissionSchema.json(account: account, role: role, in: snapshot))
    }
}
