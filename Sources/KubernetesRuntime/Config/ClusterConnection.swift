import Foundation

/// How to reach one cluster's API server: where, whom to trust, and who we are.
public struct ClusterConnection: Sendable, Equatable {
    /// How requests authenticate.
    public enum Credentials: Sendable, Equatable {
        case none
        /// A bearer token given inline (kubeconfig `token`).
        case token(String)
        /// A bearer token in a file, read again when it may have rotated (a projected
        /// service-account token is replaced by the kubelet before it expires).
        case tokenFile(String)
        /// A client certificate and its key, PEM.
        case clientCertificate(certificate: [UInt8], key: [UInt8])
    }

    /// `https://host:port` (or `http://` for a local proxy), without a trailing slash.
    public var server: URL
    /// PEM certificates to trust for the server; nil: the system's roots.
    public var certificateAuthority: [UInt8]?
    /// kubeconfig `insecure-skip-tls-verify`: no certificate check at all.
    public var insecureSkipTLSVerify: Bool
    public var credentials: Credentials
    /// The namespace the configuration names (the service account's own, or the context's), if any.
    public var namespace: String?
    /// Where this came from, for messages: `in-cluster service account`, `kubeconfig /path (context kind-kind)`.
    public var source: String

    public init(server: URL, certificateAuthority: [UInt8]?, insecureSkipTLSVerify: Bool, credentials: Credentials, namespace: String?, source: String) {
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
    }
}

/// Why no connection could be made from the configuration, naming the file and field at fault.
public struct KubernetesConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
