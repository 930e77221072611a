import Foundation

/// GitHub's `reaction` object.
enum ReactionSchema {
    static func json(_ reaction: ReactionRecord, in snapshot: ForgeSnapshot) -> JSONValue {
        [
            "id": .int(reaction.id),
            "node_id": NodeID.make("Reaction", reaction.id),
            "user": snapshot.account(reaction.author),
            "content": .string(reaction.content),
            "created_at": .string(reaction.createdAt),
        ]
    }
}
