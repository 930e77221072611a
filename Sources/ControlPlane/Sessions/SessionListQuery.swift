import Foundation
import NetclodeProto

/// A validated `ListSessions` request: which statuses, how many, from where.
///
/// Everything is checked before anything is listed, and each refusal names the field and what
/// would be accepted, so a script that sends a typo learns which one.
struct SessionListQuery: Sendable, Equatable {
    static let defaultPageSize = 100
    static let maximumPageSize = 1000

    /// The statuses listed.
    let statuses: Set<SessionStatus>
    let pageSize: Int
    /// Where the previous page ended; nil for the first page.
    let after: SessionPageToken?

    init(_ request: Netclode_V1_ListSessionsRequest) throws(ControlPlaneError) {
        var statuses = Set<SessionStatus>()
        for name in request.statuses {
            let normalized = name.trimmingCharacters(in: .whitespaces).lowercased()
            guard let status = SessionStatus(rawValue: normalized) else {
                let valid = SessionStatus.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalidArgument("statuses: unknown status \"\(name)\"; valid statuses are \(valid)")
            }
            statuses.insert(status)
        }
        if statuses.isEmpty {
            // Deleted sessions keep their record forever: by default they are history, not listed.
            statuses = Set(SessionStatus.allCases).subtracting([.deleted])
        }
        if request.includeDeleted { statuses.insert(.deleted) }
        self.statuses = statuses

        switch Int(request.pageSize) {
        case 0: pageSize = Self.defaultPageSize
        case 1...Self.maximumPageSize: pageSize = Int(request.pageSize)
        default:
            throw .invalidArgument("pageSize must be from 1 to \(Self.maximumPageSize) (0 means the default, \(Self.defaultPageSize)); got \(request.pageSize)")
        }

        if request.pageToken.isEmpty {
            after = nil
        } else {
            guard let token = SessionPageToken(encoded: request.pageToken) else {
                throw .invalidArgument("pageToken is not a token this server issued: pass the nextPageToken of the previous page unchanged, or none for the first page")
            }
            after = token
        }
    }
}
