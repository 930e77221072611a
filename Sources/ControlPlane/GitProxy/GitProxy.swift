import AsyncHTTPClient
import Foundation
import GitHubApp
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// The git proxy: git's smart HTTP (`info/refs`, `git-upload-pack`, `git-receive-pack`) for the
/// repositories of proxy-mode sessions, forwarded to GitHub with the session's current
/// installation token, so that no token ever enters a sandbox.
///
/// - The sandbox's git presents its session-bound credential (`Authorization: Bearer ncgit_…`);
///   each request is judged on the session as it is then (``GitProxyGrant``).
/// - Fetches and clones are forwarded byte for byte, both ways, streamed (protocol v2 included:
///   the `Git-Protocol` header goes along, the bodies are never parsed).
/// - A push's command list is read first and judged by the access level and the push policy.
///   A refusal is answered in git's own report-status, so `git push` prints the reason; nothing
///   reaches GitHub. An accepted push is forwarded (spooled to disk first when an update must be
///   proven a fast-forward by ``AncestryMirrors``) and GitHub's answer streams back unchanged
///   while the proxy reads what became of each ref for the `git_push` audit event.
struct GitProxy: Sendable {
    let manager: SessionManager
    let webURL: URL
    let mirrors: AncestryMirrors
    let spoolDirectory: URL
    let logger: Logger
    let client: HTTPClient = .shared

    /// A transfer (a large clone or push) may take this long in all.
    static let transferDeadline = TimeAmount.hours(2)
    static let gitProtocol = HTTPField.Name("Git-Protocol")!

    enum Service: String {
        case uploadPack = "git-upload-pack"
        case receivePack = "git-receive-pack"
    }

    // MARK: Requests

    func infoRefs(_ request: Request, context: some RequestContext) async throws -> Response {
        guard let service = request.uri.queryParameters.get("service").flatMap(Service.init(rawValue:)) else {
            return Self.text(.forbidden, "Netclode's git proxy speaks git's smart HTTP only (service=git-upload-pack or git-receive-pack).")
        }
        let grant: GitProxyGrant
        switch await authorize(request, context: context) {
        case .success(let granted): grant = granted
        case .failure(let refusal): return refusal.response
        }
        if service == .receivePack && grant.access == .read {
            return try await readOnlyReceiveAdvertisement(grant)
        }
        return try await forward(request, grant: grant, path: "info/refs?service=\(service.rawValue)", body: nil)
    }

    func uploadPack(_ request: Request, context: some RequestContext) async throws -> Response {
        switch await authorize(request, context: context) {
        case .success(let grant):
            let body = ResumedRequestBody(prefix: ByteBuffer(), remainder: .init(request.body.makeAsyncIterator()))
            return try await forward(request, grant: grant, path: Service.uploadPack.rawValue, body: .stream(body, length: Self.length(of: request)))
        case .failure(let refusal):
            return refusal.response
        }
    }

    func receivePack(_ request: Request, context: some RequestContext) async throws -> Response {
        let grant: GitProxyGrant
        switch await authorize(request, context: context) {
        case .success(let granted): grant = granted
        case .failure(let refusal): return refusal.response
        }
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            return Self.text(.unsupportedMediaType, "Netclode's git proxy cannot read a push sent with Content-Encoding \(encoding).")
        }
        // Read up to the end of the command list; the pack that follows is not parsed.
        var iterator = request.body.makeAsyncIterator()
        var start = ByteBuffer()
        var commands: ReceivePackCommands?
        do {
            while commands == nil, let chunk = try await iterator.next() {
                var chunk = chunk
                start.writeBuffer(&chunk)
                commands = try ReceivePackCommands.parse(Array(start.readableBytesView))
            }
        } catch let error as GitWireError {
            return Self.text(.badRequest, "Netclode's git proxy refused the push: \(error.description)")
        }
        let body = ResumedRequestBody(prefix: start, remainder: .init(iterator))
        guard let commands else {
            return Self.text(.badRequest, "Netclode's git proxy refused the push: the request ended inside its command list")
        }
        return try await judge(commands, body: body, request: request, grant: grant)
    }

    // MARK: Pushes

    private func judge(_ push: ReceivePackCommands, body: ResumedRequestBody, request: Request, grant: GitProxyGrant) async throws -> Response {
        // git's probe (`0000`) before a large push: GitHub would answer a read token with a bare 403.
        if push.commands.isEmpty {
            if grant.access == .read {
                try await body.drain()
                return Response(status: .ok, headers: [.contentType: "application/x-git-receive-pack-result", .cacheControl: "no-cache"])
            }
            return try await forward(request, grant: grant, path: Service.receivePack.rawValue, body: .stream(body, length: Self.length(of: request)))
        }
        let session = grant.sessionID
        if grant.access == .read {
            let reason = "read-only session: run netclode session access \(session) write"
            return try await refuse(push, body: body, grant: grant, reasons: Dictionary(push.commands.map { ($0.ref, reason) }, uniquingKeysWith: { a, _ in a }), messages: [
                "Netclode: session \(session) has read access to \(grant.repository.fullName), so it cannot push.",
                "Netclode: switch it with `netclode session access \(session) write`, then push again.",
            ])
        }
        let policy = grant.policy
        let upstream = repositoryURL(grant.repository)
        let defaultBranch = push.commands.contains(where: PushPolicy.needsDefaultBranch)
            ? await mirrors.defaultBranch(repository: grant.repository.key, upstream: upstream, token: grant.token.secret) : nil
        let ancestryRefs = Set(push.commands.filter { policy.needsAncestry($0, defaultBranch: defaultBranch) }.map(\.ref))
        // Everything that does not depend on ancestry first: such a refusal needs no spooling.
        var reasons = refusals(push, policy: policy, defaultBranch: defaultBranch) { ancestryRefs.contains($0) ? true : nil }
        if reasons.isEmpty && !ancestryRefs.isEmpty {
            let spool = spoolDirectory.appendingPathComponent("push-\(UUID().uuidString)")
            // Removed when this returns: by then the upstream request has read the file (GitHub
            // answers a push only once it has it all), and an open descriptor outlives the name.
            defer { try? FileManager.default.removeItem(at: spool) }
            try FileManager.default.createDirectory(at: spoolDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let length = try await body.spool(to: spool)
            let fastForward = await mirrors.fastForward(repository: grant.repository.key, upstream: upstream, token: grant.token.secret,
                                                        body: spool, refs: ancestryRefs)
            reasons = refusals(push, policy: policy, defaultBranch: defaultBranch) { fastForward[$0] }
            if reasons.isEmpty {
                return try await forwardPush(push, request: request, grant: grant, body: .stream(FileChunks(file: spool), length: .known(Int64(length))))
            }
            return try await refuse(push, body: nil, grant: grant, reasons: reasons, messages: policyMessages(reasons, push: push, grant: grant))
        }
        if !reasons.isEmpty {
            return try await refuse(push, body: body, grant: grant, reasons: reasons, messages: policyMessages(reasons, push: push, grant: grant))
        }
        return try await forwardPush(push, request: request, grant: grant, body: .stream(body, length: Self.length(of: request)))
    }

    private func refusals(_ push: ReceivePackCommands, policy: PushPolicy, defaultBranch: String?, fastForward: (String) -> Bool?) -> [String: String] {
        var reasons: [String: String] = [:]
        for command in push.commands {
            if let reason = policy.refusal(of: command, defaultBranch: defaultBranch, fastForward: fastForward(command.ref)) {
                reasons[command.ref] = "netclode policy: \(reason)"
            }
        }
        return reasons
    }

    private func policyMessages(_ reasons: [String: String], push: ReceivePackCommands, grant: GitProxyGrant) -> [String] {
        var messages = ["Netclode: push refused by the push policy of session \(grant.sessionID); nothing was sent to GitHub."]
        for command in push.commands {
            if let reason = reasons[command.ref] { messages.append("Netclode:   \(command.ref): \(reason.replacingOccurrences(of: "netclode policy: ", with: ""))") }
        }
        messages.append("Netclode: this session may push \(grant.policy.summary).")
        messages.append("Netclode: see or change it with `netclode session get \(grant.sessionID)` / `netclode session policy \(grant.sessionID) ...`.")
        return messages
    }

    /// Answers a refused push in report-status after reading the rest of it, and audits it.
    private func refuse(_ push: ReceivePackCommands, body: ResumedRequestBody?, grant: GitProxyGrant, reasons: [String: String], messages: [String]) async throws -> Response {
        try await body?.drain()
        let refs = push.commands.map { PushAudit.Ref(command: $0, ok: false, reason: reasons[$0.ref] ?? "atomic push rejected with others") }
        let summary = push.commands.compactMap { command in reasons[command.ref].map { "\(command.ref): \($0)" } }.joined(separator: "; ")
        await manager.recordPush(PushAudit(repository: grant.repository.fullName, outcome: .refused, message: "Refused by the proxy: \(summary)",
                                           refs: refs, tokenFingerprint: grant.token.fingerprint), sessionID: grant.sessionID)
        guard let answer = ReportStatusWriter.refusal(of: push, reasons: reasons, messages: messages) else {
            return Self.text(.forbidden, messages.joined(separator: "\n"))
        }
        return Response(status: .ok, headers: [.contentType: "application/x-git-receive-pack-result", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer)))
    }

    /// Forwards an accepted push and audits what GitHub made of it, reading its report-status as
    /// it streams back to git unchanged.
    private func forwardPush(_ push: ReceivePackCommands, request: Request, grant: GitProxyGrant, body: HTTPClientRequest.Body) async throws -> Response {
        let manager = self.manager
        return try await forward(request, grant: grant, path: Service.receivePack.rawValue, body: body, sideBand: push.sideBand) { status, reader in
            var refs: [PushAudit.Ref] = []
            for command in push.commands {
                let result = reader?.results[command.ref]
                refs.append(PushAudit.Ref(command: command, ok: result?.ok, reason: result?.reason ?? ""))
            }
            let outcome: PushAudit.Outcome
            let message: String
            if status != .ok {
                outcome = .rejected
                message = "GitHub answered HTTP \(status.code)"
            } else if let reader, let fatal = reader.fatal {
                outcome = .rejected
                message = "GitHub: \(fatal)"
            } else if let reader, !reader.unreadable, refs.allSatisfy({ $0.ok != nil }) {
                let refused = refs.filter { $0.ok == false }
                outcome = refused.isEmpty && reader.unpackError == nil ? .accepted : .rejected
                message = outcome == .accepted
                    ? "Pushed \(refs.map { $0.command.ref }.joined(separator: ", "))"
                    : "GitHub refused: " + (reader.unpackError.map { ["unpack \($0)"] } ?? []).joined() + refused.map { "\($0.command.ref) (\($0.reason))" }.joined(separator: ", ")
            } else {
                outcome = .unknown
                message = "Forwarded to GitHub; its answer could not be read"
            }
            await manager.recordPush(PushAudit(repository: grant.repository.fullName, outcome: outcome, message: message, refs: refs,
                                               tokenFingerprint: grant.token.fingerprint), sessionID: grant.sessionID)
        }
    }

    // MARK: Forwarding

    /// Sends the request on to GitHub with the installation token and streams the answer back.
    /// `observe`, when given, sees the response through a ``ReportStatusReader`` and is called
    /// once it has ended.
    private func forward(
        _ request: Request, grant: GitProxyGrant, path: String, body: HTTPClientRequest.Body?, sideBand: Bool = false,
        observe: (@Sendable (HTTPResponseStatus, ReportStatusReader?) async -> Void)? = nil
    ) async throws -> Response {
        var upstream = HTTPClientRequest(url: repositoryURL(grant.repository).absoluteString + "/" + path)
        upstream.method = request.method == .post ? .POST : .GET
        for name in [HTTPField.Name.contentType, .accept, .acceptEncoding, .contentEncoding, .userAgent, Self.gitProtocol] {
            if let value = request.headers[name] { upstream.headers.add(name: name.rawName, value: value) }
        }
        upstream.headers.add(name: "Authorization", value: Self.basic(grant.token.secret))
        if let body { upstream.body = body }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(upstream, deadline: .now() + Self.transferDeadline, logger: logger)
        } catch {
            logger.warning("git proxy: GitHub could not be reached", metadata: ["repo": "\(grant.repository)", "error": "\(error)"])
            return Self.text(.badGateway, "Netclode's git proxy could not reach \(webURL.host ?? "GitHub"): \(error)")
        }
        var headers = HTTPFields()
        for name in ["Content-Type", "Content-Encoding", "Cache-Control", "Expires", "Pragma"] {
            if let value = response.headers.first(name: name), let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        let upstreamBody = response.body
        let responseStatus = response.status
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            var reader = observe == nil || responseStatus != .ok ? nil : ReportStatusReader(sideBand: sideBand)
            do {
                for try await buffer in upstreamBody {
                    reader?.feed(buffer.readableBytesView)
                    try await writer.write(buffer)
                }
            } catch {
                await observe?(responseStatus, nil)
                throw error
            }
            await observe?(responseStatus, reader)
            try await writer.finish(nil)
        })
    }

    /// For a read-only session, the receive-pack advertisement GitHub would refuse a read token:
    /// made from the upload-pack one, so git gets as far as sending its commands and the proxy can
    /// answer them with a readable refusal instead of a bare 403.
    private func readOnlyReceiveAdvertisement(_ grant: GitProxyGrant) async throws -> Response {
        var upstream = HTTPClientRequest(url: repositoryURL(grant.repository).absoluteString + "/info/refs?service=git-upload-pack")
        upstream.headers.add(name: "Authorization", value: Self.basic(grant.token.secret))
        upstream.headers.add(name: "User-Agent", value: "git/2 netclode-proxy")
        let response = try await client.execute(upstream, deadline: .now() + .seconds(60), logger: logger)
        guard response.status == .ok else {
            return Self.text(HTTPResponse.Status(code: Int(response.status.code)), "GitHub answered HTTP \(response.status.code)")
        }
        let advertisement = try await response.body.collect(upTo: 64 << 20)
        guard let rewritten = try? ReceiveAdvertisement.fromUploadPack(Array(advertisement.readableBytesView)) else {
            return Self.text(.badGateway, "Netclode's git proxy could not read GitHub's ref advertisement")
        }
        return Response(status: .ok, headers: [.contentType: "application/x-git-receive-pack-advertisement", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: rewritten)))
    }

    // MARK: Helpers

    private enum Refusal: Error {
        case unauthenticated(String)
        case notFound(String)

        var response: Response {
            switch self {
            case .unauthenticated(let message): GitProxy.text(.forbidden, "Netclode: \(message)")
            case .notFound(let message): GitProxy.text(.notFound, message)
            }
        }
    }

    private func authorize(_ request: Request, context: some RequestContext) async -> Result<GitProxyGrant, Refusal> {
        guard let credential = BearerToken.from(request.headers) else {
            return .failure(.unauthenticated("the git proxy needs the session's credential (Authorization: Bearer ncgit_…), which the agent configures"))
        }
        guard let owner = context.parameters.get("owner"), var name = context.parameters.get("repo") else {
            return .failure(.notFound("Repository not found."))
        }
        if name.hasSuffix(".git") { name.removeLast(4) }
        do {
            return .success(try await manager.gitProxyGrant(credential: credential, owner: owner, name: name))
        } catch {
            if case .notFound = error { return .failure(.notFound("Repository not found.")) }
            return .failure(.unauthenticated(error.message))
        }
    }

    private func repositoryURL(_ repository: RepositoryReference) -> URL {
        repository.cloneURL(webURL: webURL)
    }

    private static func basic(_ token: String) -> String {
        "Basic " + Data("x-access-token:\(token)".utf8).base64EncodedString()
    }

    private static func length(of request: Request) -> HTTPClientRequest.Body.Length {
        if let text = request.headers[.contentLength], let length = Int64(text) { return .known(length) }
        return .unknown
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
