import Foundation
import TestSupport
import Testing

@testable import KubernetesRuntime

/// The kubeconfig subset: what `kubectl config view --flatten --raw` writes, what people write by
/// hand, and what is refused with the line or field at fault.
@Suite("kubeconfig")
struct KubeConfigTests {
    static let kubectlStyle = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: \(Data("-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n".utf8).base64EncodedString())
            server: https://127.0.0.1:6443
          name: kind-kind
        - cluster:
            insecure-skip-tls-verify: true
            server: https://other.example:443/
          name: other
        contexts:
        - context:
            cluster: kind-kind
            namespace: sandboxes
            user: kind-kind
          name: kind-kind
        - context: {cluster: other, user: "token user"}
          name: other
        current-context: kind-kind   # the one in use
        kind: Config
        preferences: {}
        users:
        - name: kind-kind
          user:
            client-certificate-data: Y2VydA==
            client-key-data: a2V5
        - name: "token user"
          user:
            token: 'abc''def#not-a-comment'
        """

    @Test func kubectlLayoutParsesIntoTheCurrentContext() throws {
        let connection = try KubeConfig.connection(from: [("/k/config", try KubeConfigYAML.parse(Self.kubectlStyle))])
        #expect(connection.server.absoluteString == "https://127.0.0.1:6443")
        #expect(String(decoding: connection.certificateAuthority ?? [], as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(connection.credentials == .clientCertificate(certificate: Array("cert".utf8), key: Array("key".utf8)))
        #expect(connection.namespace == "sandboxes")
        #expect(!connection.insecureSkipTLSVerify)
        #expect(connection.source.contains("context kind-kind"))
    }

    @Test func flowMappingsQuotesAndTrailingSlashes() throws {
        let switched = Self.kubectlStyle.replacingOccurrences(of: "current-context: kind-kind", with: "current-context: \"other\"")
        let connection = try KubeConfig.connection(from: [("/k/config", try KubeConfigYAML.parse(switched))])
        #expect(connection.server.absoluteString == "https://other.example:443")
        #expect(connection.insecureSkipTLSVerify)
        #expect(connection.credentials == .token("abc'def#not-a-comment"))
        #expect(connection.namespace == nil)
    }

    @Test func indentedSequencesNestedMappingsAndComments() throws {
        let value = try KubeConfigYAML.parse("""
            # a comment
            ---
            top:
              list:
                - a
                - "b: c"   # trailing comment
                - - nested
                - key: one
                  other: two
              empty:
              flow: [x, 'y', "z"]
            """)
        #expect(value["top"]?["list"] == .array(["a", "b: c", .array(["nested"]), ["key": "one", "other": "two"]]))
        #expect(value["top"]?["empty"] == .null)
        #expect(value["top"]?["flow"] == .array(["x", "y", "z"]))
    }

    @Test func jsonKubeconfigIsReadToo() throws {
        let json = #"{"current-context":"c","contexts":[{"name":"c","context":{"cluster":"k","user":"u"}}],"clusters":[{"name":"k","cluster":{"server":"http://127.0.0.1:8001"}}],"users":[{"name":"u","user":{"token":"t"}}]}"#
        let connection = try KubeConfig.connection(from: [("/k.json", try KubeConfigYAML.parse(json))])
        #expect(connection.server.absoluteString == "http://127.0.0.1:8001")
        #expect(connection.credentials == .token("t"))
    }

    @Test("what the parser does not support is refused with its line", arguments: [
        ("a:\n\tb: c", "line 2: tab in indentation"),
        ("a: &anchor x", "line 1: anchors, aliases and tags are not supported"),
        ("a: |\n  text", "line 1: block scalars (|) are not supported"),
        ("a: \"open", "line 1: unterminated double-quoted string"),
        ("a: b\na: c", "line 2: duplicate key \"a\""),
        ("a:\n  b: c\n    d: e", "line 3: unexpected indentation"),
    ])
    func unsupportedYAML(text: String, expected: String) {
        #expect {
            _ = try KubeConfigYAML.parse(text)
        } throws: { error in
            "\(error)".hasPrefix(expected)
        }
    }

    /// The smallest kubeconfig that names a cluster and a user with a token.
    static func minimal(server: String = "https://127.0.0.1:6443") -> String {
        """
        current-context: c
        contexts:
        - name: c
          context: {cluster: k, user: u}
        clusters:
        - name: k
          cluster: {server: "\(server)"}
        users:
        - name: u
          user: {token: t}
        """
    }

    @Test func credentialPluginsAndBrokenReferencesAreNamed() throws {
        let exec = Self.minimal().replacingOccurrences(of: "  user: {token: t}", with: """
              user:
                exec:
                  command: aws
                  args: [eks, get-token]
            """)
        #expect {
            _ = try KubeConfig.connection(from: [("/k", try KubeConfigYAML.parse(exec))])
        } throws: { error in
            "\(error)".contains("user \"u\" of /k gets its credentials from a plugin")
        }
        let missing = exec.replacingOccurrences(of: "current-context: c", with: "current-context: gone")
        do {
            _ = try KubeConfig.connection(from: [("/k", try KubeConfigYAML.parse(missing))])
            Issue.record("a missing context was accepted")
        } catch {
            #expect("\(error)".contains("names current-context \"gone\", but has no context of that name"))
        }
    }

    /// `KUBECONFIG=a:b`: the first file to define a name wins, files named relative to theirs.
    @Test func kubeconfigListsMergeAndResolveRelativeFiles() async throws {
        try await TemporaryDirectory.with(prefix: "kubeconfig") { directory in
            let first = directory.url.appendingPathComponent("first.yaml")
            let second = directory.url.appendingPathComponent("sub/second.yaml")
            try FileManager.default.createDirectory(at: second.deletingLastPathComponent(), withIntermediateDirectories: true)
            try "PEM-CA".write(to: second.deletingLastPathComponent().appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
            try "file-token\n".write(to: second.deletingLastPathComponent().appendingPathComponent("token"), atomically: true, encoding: .utf8)
            try """
                current-context: mine
                users:
                - name: me
                  user: {tokenFile: token-not-this-one}
                """.write(to: first, atomically: true, encoding: .utf8)
            try """
                current-context: ignored
                contexts:
                - name: mine
                  context: {cluster: k, user: me}
                clusters:
                - name: k
                  cluster:
                    server: https://k.example:6443
                    certificate-authority: ca.crt
                users:
                - name: me
                  user: {tokenFile: token}
                """.write(to: second, atomically: true, encoding: .utf8)
            let connection = try #require(try KubeConfig.load(environment: ["KUBECONFIG": "\(first.path):\(second.path)"]))
            #expect(connection.certificateAuthority == Array("PEM-CA".utf8))
            // `me` is defined by the first file, relative to it.
            #expect(connection.credentials == .tokenFile(directory.url.appendingPathComponent("token-not-this-one").path))
            #expect(connection.source.contains("context mine"))
        }
    }

    @Test func inClusterConfigurationReadsTheServiceAccount() async throws {
        try await TemporaryDirectory.with(prefix: "serviceaccount") { directory in
            for (name, text) in [("token", "sa-token\n"), ("ca.crt", "PEM"), ("namespace", "netclode\n")] {
                try text.write(to: directory.url.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            let connection = try #require(try InClusterConfig.load(environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"],
                                                                   directory: directory.url.path))
            #expect(connection.server.absoluteString == "https://[fd00::1]:443")
            #expect(connection.namespace == "netclode")
            #expect(connection.credentials == .tokenFile(directory.url.appendingPathComponent("token").path))
            #expect(try BearerToken(connection.credentials).current() == "sa-token")
            #expect(try InClusterConfig.load(environment: [:], directory: directory.url.path) == nil)
        }
    }
}
