import Foundation

/// `NETCLODE_AGENT_CALLBACK_URL`: the URL agents dial back to. On one host the bound address
/// does (the default); in a cluster it is the control plane's Service, which the bound
/// `0.0.0.0:8080` is not.
enum AgentCallbackURL {
    /// `http(s)://host[:port]`, optionally with a path prefix; nil when unset.
    static func parse(_ text: String?) throws(ControlPlaneError) -> URL? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
              components.query == nil, components.fragment == nil, components.user == nil, components.password == nil,
              var url = components.url else {
            throw .invalidArgument("NETCLODE_AGENT_CALLBACK_URL must be an http:// or https:// URL with a host and no query, user or fragment, "
                + "e.g. http://netclode.netclode.svc.cluster.local:8080; got \"\(text)\"")
        }
        // The agent appends `/netclode.v1.AgentService/...`: no trailing slash.
        while url.absoluteString.hasSuffix("/"), let trimmed = URL(string: String(url.absoluteString.dropLast())) { url = trimmed }
        return url
    }
}
