/// What the egress proxy of one session lets through (see ``EgressProxy``).
///
/// Three rules, checked in this order, each refusal naming its rule:
/// 1. the host, as the client wrote it, must match ``allowList`` (checked before any name is
///    resolved, so a refused name causes no DNS query);
/// 2. every address the host resolves to must be public: none in ``AddressRange/refused``
///    (loopback, private, link-local, CGNAT, multicast, unspecified, and the IPv6 forms of those);
/// 3. no address may be one of ``protectedEndpoints`` (the control plane's API).
///
/// The proxy connects only to addresses that passed, never resolving the name a second time, so
/// a DNS answer that changes between the check and the connect (rebinding) cannot slip through.
public struct EgressPolicy: Sendable, Equatable {
    public var allowList: EgressAllowList
    /// Addresses the sandbox must not reach even when they are public: the control plane's own
    /// API (when it listens on a public address).
    public var protectedEndpoints: [ProtectedEndpoint]

    public init(allowList: EgressAllowList = .anyPublicHost, protectedEndpoints: [ProtectedEndpoint] = []) {
        self.allowList = allowList
        self.protectedEndpoints = protectedEndpoints
    }

    /// Rule 1: nil when `host` may be looked up, else why not.
    public func refusal(host: String) -> String? {
        allowList.allows(host) ? nil : "not in NETCLODE_EGRESS_ALLOW (\(allowList))"
    }

    /// Rules 2 and 3 for one resolved address: nil when the proxy may connect to it.
    public func refusal(address: IPAddress, port: Int, localAddresses: () -> [IPAddress] = LocalAddresses.current) -> String? {
        if let range = AddressRange.refusedRange(of: address) {
            return "\(address) is a \(range.name) address, which sandboxes may never reach"
        }
        for endpoint in protectedEndpoints where endpoint.port == port {
            let matches: Bool
            if let protected = endpoint.address {
                matches = protected == address || protected == address.embeddedIPv4
            } else {
                // A control plane listening on every address: any address of this machine.
                let own = localAddresses()
                matches = own.contains(address) || address.embeddedIPv4.map(own.contains) == true
            }
            if matches { return "\(address):\(port) is \(endpoint.name), which sandboxes may never reach" }
        }
        return nil
    }
}

/// An address and port the egress proxy refuses even when public (see ``EgressPolicy``).
public struct ProtectedEndpoint: Sendable, Equatable {
    /// Nil: every address of this machine (the service listens on `0.0.0.0` or `::`).
    public var address: IPAddress?
    public var port: Int
    /// What it is, for the refusal ("the control plane's API").
    public var name: String

    public init(address: IPAddress?, port: Int, name: String) {
        self.address = address
        self.port = port
        self.name = name
    }

    /// The endpoint a server listening on `host:port` answers on: a wildcard host (`0.0.0.0`,
    /// `::`, empty) stands for every local address; a name (`localhost`) for the addresses it
    /// resolves to is not needed here, since names that resolve to loopback are refused anyway.
    public static func listening(host: String, port: Int, name: String) -> [ProtectedEndpoint] {
        if host.isEmpty || host == "*" { return [ProtectedEndpoint(address: nil, port: port, name: name)] }
        guard let address = IPAddress(host) else { return [] }
        if address == IPAddress("0.0.0.0") || address == IPAddress("::") {
            return [ProtectedEndpoint(address: nil, port: port, name: name)]
        }
        return [ProtectedEndpoint(address: address, port: port, name: name)]
    }
}
