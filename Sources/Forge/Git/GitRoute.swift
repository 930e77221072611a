/// A request path under `/{owner}/{repo}(.git)/...` that belongs to git's HTTP protocols.
struct GitRoute: Sendable, Equatable {
    enum Service: String, Sendable {
        case uploadPack = "git-upload-pack"
        case receivePack = "git-receive-pack"
    }

    enum Kind: Sendable, Equatable {
        /// `GET info/refs?service=...`
        case advertisement(Service)
        /// `POST git-upload-pack` / `POST git-receive-pack`
        case rpc(Service)
        /// The dumb protocol (`info/refs` without service, `HEAD`, `objects/...`): not served.
        case dumb
    }

    var owner: String
    /// The repository name as requested, without `.git`.
    var repository: String
    /// What follows the repository, e.g. `info/refs`.
    var rest: String
    var kind: Kind

    /// Recognises git paths; `nil` for everything else (the REST API).
    init?(path: String, method: String, service: String?) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard segments.count >= 3 else { return nil }
        let rest = segments[2...].joined(separator: "/")
        let kind: Kind
        switch rest {
        case "info/refs":
            if let service, let known = Service(rawValue: service) {
                kind = .advertisement(known)
            } else {
                kind = .dumb
            }
        case "git-upload-pack", "git-receive-pack":
            guard method == "POST" else { kind = .dumb; break }
            kind = .rpc(Service(rawValue: rest)!)
        case "HEAD", "objects/info/packs", "objects/info/alternates", "objects/info/http-alternates":
            kind = .dumb
        default:
            guard rest.hasPrefix("objects/") || rest.hasPrefix("info/") else { return nil }
            kind = .dumb
        }
        owner = segments[0]
        repository = segments[1].lowercased().hasSuffix(".git") ? String(segments[1].dropLast(4)) : segments[1]
        self.rest = rest
        self.kind = kind
    }

    var service: Service? {
        switch kind {
        case .advertisement(let service), .rpc(let service): return service
        case .dumb: return nil
        }
    }
}
