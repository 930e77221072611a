/// The exchange between `netclode agent credential` and the agent's ``CredentialServer`` over the
/// Unix socket: one request per connection.
///
/// The client sends `operation=<get|store|erase>\n`, then git's request lines, then a blank line;
/// the server answers with the credential-helper response lines and closes the connection.
enum CredentialWire {
    static let operationKey = "operation"
    /// Requests larger than this are refused (git's are a few hundred bytes).
    static let maximumRequestSize = 64 * 1024

    static func encodeRequest(operation: String, request: GitCredentialMessage) -> String {
        GitCredentialMessage([(operationKey, operation)] + request.attributes).encoded + "\n"
    }

    /// `(operation, git's request)`, or nil when the first line is not `operation=...`.
    static func decodeRequest(_ text: String) -> (operation: String, request: GitCredentialMessage)? {
        let message = GitCredentialMessage.parse(text)
        guard let first = message.attributes.first, first.key == operationKey else { return nil }
        return (first.value, GitCredentialMessage(Array(message.attributes.dropFirst())))
    }

    /// Whether `text` holds a whole request (ends with a blank line).
    static func isComplete(_ text: Substring) -> Bool {
        text.hasPrefix("\n") || text.contains("\n\n") || text.contains("\r\n\r\n")
    }
}
