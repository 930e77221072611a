import NIOCore

/// The request of a Connect GET call, read from its query:
/// `?connect=v1&encoding=json|proto&message=...[&base64=1][&compression=gzip]`.
///
/// Each missing or invalid parameter is an `invalid_argument` naming it, except two the protocol
/// gives other answers: an unsupported `encoding` is HTTP 415 (see ``codec(in:)``), and an
/// unsupported `compression` is `unimplemented`, listing the supported ones.
struct ConnectGetRequest: Sendable {
    /// `compression`: the message's compression, `nil` for identity.
    var compression: ConnectCompression?
    /// `message`, percent- or base64url-decoded but still compressed.
    var message: ByteBuffer

    /// The codec `encoding` names: `nil` when it names one this server does not speak (the
    /// caller answers 415, as for an unsupported `Content-Type`).
    /// - Throws: `invalid_argument` when the parameter is missing.
    static func codec(in query: ConnectGetQuery) throws(ConnectError) -> ConnectCodec? {
        guard let encoding = try query.string("encoding") else {
            throw ConnectError(.invalidArgument, "missing encoding query parameter; use encoding=json or encoding=proto")
        }
        return ConnectCodec(rawValue: encoding.trimmedASCIIWhitespace().lowercased())
    }

    init(query: ConnectGetQuery) throws(ConnectError) {
        // `connect` is optional, like the Connect-Protocol-Version header it stands for.
        if let version = try query.string("connect"), version != "v1" {
            throw ConnectError(.invalidArgument, "connect query parameter must be \"v1\", got \"\(version)\"")
        }
        compression = try ConnectCompression.requested(query.string("compression"), field: "compression")
        guard let raw = try query.bytes("message") else {
            throw ConnectError(.invalidArgument, "missing message query parameter")
        }
        if try query.string("base64") == "1" {
            guard let decoded = Base64URL.decode(raw) else {
                throw ConnectError(.invalidArgument, "message query parameter is not valid base64url (base64=1)")
            }
            message = ByteBuffer(bytes: decoded)
        } else {
            message = ByteBuffer(bytes: raw)
        }
    }
}
