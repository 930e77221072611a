import Hummingbird
import NIOCore

/// Request context carrying the peer address, so `/_forge/*` can answer loopback peers only and
/// `git http-backend` gets a `REMOTE_ADDR`.
public struct ForgeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, if known.
    public let remoteIPAddress: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteIPAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Git pushes arrive as one streamed body; the forge never collects bodies it streams, and
    /// the API bodies it does collect are bounded separately.
    public var maxUploadSize: Int { 1 << 20 }

    var isLoopbackPeer: Bool {
        guard let address = remoteIPAddress else { return false }
        return ListenAddress.isLoopback(host: address)
    }
}
