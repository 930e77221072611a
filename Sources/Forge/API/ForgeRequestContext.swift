import Foundation
import Hummingbird
import NIOCore

/// Request context carrying the peer address, so `/_forge/*` can answer loopback peers only and
/// `git http-backend` gets a `REMOTE_ADDR`.
public struct ForgeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, if known.
    public let remoteIPAddress: String?
    /// The connection, so a scripted fault can reset it (see ``FaultPlan/resetConnection``).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteIPAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }

    /// Closes the connection with a TCP reset instead of a FIN: `SO_LINGER` with a zero timeout
    /// makes the kernel discard unsent data and send RST, which clients see as "connection reset
    /// by peer", the way a dropped connection to GitHub looks.
    func resetConnection() async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    /// Git pushes arrive as one streamed body; the forge never collects bodies it streams, and
    /// the API bodies it does collect are bounded separately.
    public var maxUploadSize: Int { 1 << 20 }

    var isLoopbackPeer: Bool {
        guard let address = remoteIPAddress else { return false }
        return ListenAddress.isLoopback(host: address)
    }
}
