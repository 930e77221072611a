import Foundation

/// A kubeconfig, for a control plane running outside the cluster: `KUBECONFIG` (a `:`-separated
/// list of files, merged as kubectl does: the first file to set a value wins) or
/// `~/.kube/config`. The current context picks the cluster (`server`, `certificate-authority`
/// or `-data`, `insecure-skip-tls-verify`), the user (`token`, `tokenFile`,
/// `client-certificate` and `client-key`, or their `-data`) and the namespace.
/// File paths in it are relative to the file that names them.
///
/// Credential plugins (`exec`, `auth-provider`) are not run: a clear error says so.
enum KubeConfig {
    static func load(environment: [String: String]) throws(KubernetesConfigError) -> ClusterConnection? {
        let paths: [String]
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        } else if let home = environment["HOME"], FileManager.default.fileExists(atPath: home + "/.kube/config") {
            paths = [home + "/.kube/config"]
        } else {
            return nil
        }
        var documents: [(path: String, value: JSONValue)] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                if paths.count == 1 { throw KubernetesConfigError("the kubeconfig \(path) cannot be read") }
                continue  // kubectl skips missing files of a list
            }
            do {
                documents.append((path, try KubeConfigYAML.parse(String(decoding: data, as: UTF8.self))))
            } catch {
                throw KubernetesConfigError("the kubeconfig \(path) cannot be parsed: \(error)")
            }
        }
        guard !documents.isEmpty else { throw KubernetesConfigError("none of the kubeconfig files in KUBECONFIG=\(environment["KUBECONFIG"] ?? "") can be read") }
        return try connection(from: documents)
    }

    /// The connection of the current context of the merged `documents`.
    static func connection(from documents: [(path: String, value: JSONValue)]) throws(KubernetesConfigError) -> ClusterConnection {
        let files = documents.map(\.path).joined(separator: ":")
        guard let contextName = documents.lazy.compactMap({ $0.value["current-context"]?.stringValue }).first(where: { !$0.isEmpty }) else {
            throw KubernetesConfigError("the kubeconfig \(files) has no current-context; set one with `kubectl config use-context NAME`")
        }
        guard let (_, context) = named("contexts", contextName, entry: "context", in: documents) else {
            throw KubernetesConfigError("the kubeconfig \(files) names current-context \"\(contextName)\", but has no context of that name")
        }
        guard let clusterName = context["cluster"]?.stringValue, let (clusterFile, cluster) = named("clusters", clusterName, entry: "cluster", in: documents) else {
            throw KubernetesConfigError("context \"\(contextName)\" of \(files) names cluster \"\(context["cluster"]?.stringValue ?? "")\", which is not defined")
        }
        guard let serverText = cluster["server"]?.stringValue, var server = URL(string: serverText), let scheme = server.scheme,
              scheme == "https" || scheme == "http", server.host != nil else {
            throw KubernetesConfigError("cluster \"\(clusterName)\" of \(clusterFile) has no usable server URL (got \"\(cluster["server"]?.stringValue ?? "")\")")
        }
        while server.absoluteString.hasSuffix("/"), let trimmed = URL(string: String(server.absoluteString.dropLast())) { server = trimmed }
        let clusterPlace = "cluster \"\(clusterName)\" of \(clusterFile)"
        let ca = try bytes(data: cluster["certificate-authority-data"], file: cluster["certificate-authority"], relativeTo: clusterFile,
                           field: "certificate-authority", where: clusterPlace)
        let insecure = cluster["insecure-skip-tls-verify"].map { $0 == .bool(true) || $0.stringValue?.lowercased() == "true" } ?? false

        var credentials = ClusterConnection.Credentials.none
        if let userName = context["user"]?.stringValue, !userName.isEmpty {
            guard let (userFile, user) = named("users", userName, entry: "user", in: documents) else {
                throw KubernetesConfigError("context \"\(contextName)\" of \(files) names user \"\(userName)\", which is not defined")
            }
            credentials = try self.credentials(of: user, where: "user \"\(userName)\" of \(userFile)", file: userFile)
        }
        let namespace = context["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        return ClusterConnection(server: server, certificateAuthority: ca, insecureSkipTLSVerify: insecure, credentials: credentials,
                                 namespace: namespace, source: "kubeconfig \(files) (context \(contextName))")
    }

    private static func credentials(of user: JSONValue, where place: String, file: String) throws(KubernetesConfigError) -> ClusterConnection.Credentials {
        if user["exec"] != nil || user["auth-provider"] != nil {
            throw KubernetesConfigError("\(place) gets its credentials from a plugin (exec or auth-provider), which netclode does not run; "
                + "give it a token (e.g. `kubectl create token SERVICE-ACCOUNT`) or a client certificate instead")
        }
        if let token = user["token"]?.stringValue, !token.isEmpty { return .token(token) }
        if let path = user["tokenFile"]?.stringValue, !path.isEmpty { return .tokenFile(resolve(path, relativeTo: file)) }
        let certificate = try bytes(data: user["client-certificate-data"], file: user["client-certificate"], relativeTo: file, field: "client-certificate", where: place)
        let key = try bytes(data: user["client-key-data"], file: user["client-key"], relativeTo: file, field: "client-key", where: place)
        switch (certificate, key) {
        case (let certificate?, let key?): return .clientCertificate(certificate: certificate, key: key)
        case (nil, nil): break
        default: throw KubernetesConfigError("\(place) has a client certificate or a client key but not both")
        }
        if user["username"] != nil || user["password"] != nil {
            throw KubernetesConfigError("\(place) uses basic authentication (username/password), which Kubernetes removed in 1.19; use a token or a client certificate")
        }
        return .none
    }

    /// The entry `name` of the list `list` (`clusters`, `users`, `contexts`): the first file
    /// defining it wins. Returns the file and the entry's inner object (`cluster`, `user`, `context`).
    private static func named(_ list: String, _ name: String, entry: String, in documents: [(path: String, value: JSONValue)]) -> (String, JSONValue)? {
        for document in documents {
            for item in document.value[list]?.arrayValue ?? [] where item["name"]?.stringValue == name {
                return (document.path, item[entry] ?? .object([:]))
            }
        }
        return nil
    }

    /// PEM bytes from a `-data` field (base64) or from the file a field names.
    private static func bytes(data: JSONValue?, file: JSONValue?, relativeTo configFile: String, field: String, where place: String) throws(KubernetesConfigError) -> [UInt8]? {
        if let encoded = data?.stringValue, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded.filter { !$0.isWhitespace }) else {
                throw KubernetesConfigError("\(field)-data of \(place) is not base64")
            }
            return Array(decoded)
        }
        if let path = file?.stringValue, !path.isEmpty {
            let resolved = resolve(path, relativeTo: configFile)
            guard let contents = FileManager.default.contents(atPath: resolved) else {
                throw KubernetesConfigError("\(field) of \(place) names \(resolved), which cannot be read")
            }
            return Array(contents)
        }
        return nil
    }

    private static func resolve(_ path: String, relativeTo file: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
    }
}
