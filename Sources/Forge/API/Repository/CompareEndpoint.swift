import Foundation
import HTTPTypes
import Hummingbird

/// `GET /repos/{o}/{r}/compare/{base}...{head}`, answered from the real repository.
extension RepositoryAPI {
    func compare(_ request: RepositoryRequest, basehead: String) async throws(APIFailure) -> Response {
        let docs = APIResponse.Docs.compare
        let snapshot = await snapshot(request)
        // GitHub serves a private repository's commits to `contents: read`.
        try request.require(Need([("contents", "read")], documentationURL: docs), metadata: snapshot.metadata)
        guard let range = basehead.range(of: "...") else { throw request.notFound(docs) }
        func ref(_ value: Substring) -> String {
            // `owner:branch` of this repository's owner is the branch itself.
            guard let colon = value.firstIndex(of: ":"),
                  value[..<colon].caseInsensitiveCompare(request.repository.owner) == .orderedSame else { return String(value) }
            return String(value[value.index(after: colon)...])
        }
        guard let baseSHA = await GitQueries.resolve(ref(basehead[..<range.lowerBound]), in: request.bare),
              let headSHA = await GitQueries.resolve(ref(basehead[range.upperBound...]), in: request.bare) else {
            throw request.notFound(docs)
        }
        guard let mergeBase = await GitQueries.mergeBase(baseSHA, headSHA, in: request.bare) else {
            throw APIFailure(APIResponse.error(.notFound, "No common ancestor between \(basehead[..<range.lowerBound]) and \(basehead[range.upperBound...]).",
                                               documentationURL: docs))
        }
        do {
            let ahead = try await GitQueries.count(from: mergeBase, to: headSHA, in: request.bare)
            let behind = try await GitQueries.count(from: mergeBase, to: baseSHA, in: request.bare)
            let status = ahead == 0 && behind == 0 ? "identical" : behind == 0 ? "ahead" : ahead == 0 ? "behind" : "diverged"
            let comparison = CompareSchema.Comparison(
                base: try await GitQueries.commit(baseSHA, in: request.bare),
                mergeBase: try await GitQueries.commit(mergeBase, in: request.bare),
                status: status, aheadBy: ahead, behindBy: behind,
                commits: try await GitQueries.commits(from: mergeBase, to: headSHA, in: request.bare),
                files: try await GitQueries.changes(from: mergeBase, to: headSHA, in: request.bare), basehead: basehead)
            return APIResponse.json(.ok, CompareSchema.json(comparison, repository: request.repository, in: snapshot))
        } catch {
            throw APIFailure(APIResponse.error(.internalServerError, "Server Error", documentationURL: docs))
        }
    }
}
