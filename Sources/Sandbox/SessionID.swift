/// The rule for session IDs the runtime accepts.
///
/// A session ID becomes a path component (`sessions/<id>`, `logs/<id>.log`), so anything that
/// could climb out of the sessions root (`..`, `/`) or surprise a shell is refused before any
/// directory is created or deleted.
enum SessionID {
    static let maximumLength = 64

    static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= maximumLength else { return false }
        return id.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    static func validate(_ id: String) throws(SandboxError) {
        guard isValid(id) else { throw .invalidSessionID(id) }
    }
}
