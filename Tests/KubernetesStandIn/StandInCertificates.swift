import Foundation
import TestSupport

/// A throwaway certificate authority, a server certificate for 127.0.0.1 and a client
/// certificate, made with `openssl` for one stand-in: the runtime must verify the API server
/// against the CA its kubeconfig names, as against a real cluster's.
public struct StandInCertificates: Sendable {
    public let caCertificate: URL
    public let serverCertificate: URL
    public let serverKey: URL
    public let clientCertificate: URL
    public let clientKey: URL

    static func make(in directory: URL) async throws -> StandInCertificates {
        let file = { (name: String) in directory.appendingPathComponent(name) }
        let extensions = file("server.ext")
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n".write(to: extensions, atomically: true, encoding: .utf8)
        let clientExtensions = file("client.ext")
        try "extendedKeyUsage=clientAuth\n".write(to: clientExtensions, atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=standin-ca", "-keyout", file("ca.key").path, "-out", file("ca.crt").path],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=standin-apiserver",
             "-keyout", file("server.key").path, "-out", file("server.csr").path],
            ["x509", "-req", "-in", file("server.csr").path, "-CA", file("ca.crt").path, "-CAkey", file("ca.key").path,
             "-CAcreateserial", "-days", "2", "-extfile", extensions.path, "-out", file("server.crt").path],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=netclode-control-plane/O=netclode",
             "-keyout", file("client.key").path, "-out", file("client.csr").path],
            ["x509", "-req", "-in", file("client.csr").path, "-CA", file("ca.crt").path, "-CAkey", file("ca.key").path,
             "-CAcreateserial", "-days", "2", "-extfile", clientExtensions.path, "-out", file("client.crt").path],
        ]
        for arguments in steps {
            let result = try await Command.run("/usr/bin/openssl", arguments)
            guard result.exitCode == 0 else {
                throw StandInError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.stderr)")
            }
        }
        return StandInCertificates(caCertificate: file("ca.crt"), serverCertificate: file("server.crt"), serverKey: file("server.key"),
                                   clientCertificate: file("client.crt"), clientKey: file("client.key"))
    }
}

public struct StandInError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
