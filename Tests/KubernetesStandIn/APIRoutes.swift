import Foundation
import HTTPTypes
import Hummingbird
import KubernetesRuntime
import NIOCore
import NIOFoundationCompat

/// The API server's endpoints the runtime uses, with the API's status codes and bodies:
/// `GET /version`, `POST .../selfsubjectaccessreviews`, and for pods, secrets and
/// persistentvolumeclaims in a namespace: create (201, 409 AlreadyExists, 422 Invalid, 403 from
/// Pod Security), get (200, 404), list with a label selector and `limit`/`continue`, watch
/// (newline-delimited events on a 200 stream, bookmarks, `timeoutSeconds`, the in-band 410), and
/// delete (200 with the object; 404 NotFound). Anything else is the API's 404 for an unknown path.
struct APIRoutes: Sendable {
    let state: ClusterState
    let kubelet: Kubelet
    let captured: CapturedRequests
    let options: StandInCluster.Options

    func register(on router: Router<BasicRequestContext>) {
        router.get("/version") { _, _ in
            Self.json(200, ["major": "1", "minor": "32", "gitVersion": "v1.32.0-standin", "platform": "linux/amd64"])
        }
        router.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") { request, _ in
            try await self.accessReview(request)
        }
        router.post("/api/v1/namespaces/:namespace/:resource") { request, context in
            try await self.handle(request, context) { resource, namespace in try await self.create(resource, namespace, request) }
        }
        router.get("/api/v1/namespaces/:namespace/:resource") { request, context in
            try await self.handle(request, context) { resource, namespace in
                let watch = request.uri.queryParameters.get("watch").map { $0 == "1" || $0 == "true" } ?? false
                return watch ? try await self.watch(resource, namespace, request) : try await self.list(resource, namespace, request)
            }
        }
        router.get("/api/v1/namespaces/:namespace/:resource/:name") { request, context in
            try await self.handle(request, context) { resource, namespace in
                let name = try context.parameters.require("name")
                guard let object = await state.get(resource, namespace, name) else { throw APIStatus.notFound(resource, name) }
                return Self.json(200, object)
            }
        }
        router.delete("/api/v1/namespaces/:namespace/:resource/:name") { request, context in
            try await self.handle(request, context) { resource, namespace in
                try await self.delete(resource, namespace, try context.parameters.require("name"), request)
            }
        }
    }

    static func json(_ code: Int, _ value: JSONValue) -> Response {
        Response(status: HTTPResponse.Status(code: code), headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(data: value.encoded())))
    }

    static func status(_ error: APIStatus) -> Response {
        json(error.code, error.body)
    }

    /// Resolves the resource, records the request (and its body), and turns a thrown
    /// ``APIStatus`` into its answer.
    private func handle(_ request: Request, _ context: BasicRequestContext,
                        _ body: (StandInResource, String) async throws -> Response) async throws -> Response {
        do {
            let namespace = try context.parameters.require("namespace")
            guard let resource = StandInResource(rawValue: try context.parameters.require("resource")) else { throw APIStatus.pathNotFound }
            let verb = Self.verb(request, named: context.parameters.get("name") != nil)
            if options.forbidden.contains("\(verb) \(resource.rawValue)") {
                throw APIStatus.forbidden("\(resource.rawValue) is forbidden: User \"system:serviceaccount:\(namespace):netclode\" cannot \(verb) resource \"\(resource.rawValue)\" in API group \"\" in the namespace \"\(namespace)\"")
            }
            return try await body(resource, namespace)
        } catch let error as APIStatus {
            return Self.status(error)
        }
    }

    /// The RBAC verb of a request: `create`, `get`, `list`, `watch` or `delete`.
    private static func verb(_ request: Request, named: Bool) -> String {
        switch request.method {
        case .post: return "create"
        case .delete: return "delete"
        default:
            if named { return "get" }
            let watch = request.uri.queryParameters.get("watch")
            return watch == "1" || watch == "true" ? "watch" : "list"
        }
    }

    private func readBody(_ request: Request) async throws -> Data {
        var request = request
        return Data(buffer: try await request.body.collect(upTo: 16 << 20))
    }

    private func decode(_ data: Data) throws(APIStatus) -> JSONValue {
        do {
            let value = try JSONValue.decode(data)
            guard value.objectValue != nil else { throw APIStatus.badRequest("the body is not a JSON object") }
            return value
        } catch let error as APIStatus {
            throw error
        } catch {
            throw .badRequest("the body cannot be decoded: \(error)")
        }
    }

    // MARK: Verbs

    private func create(_ resource: StandInResource, _ namespace: String, _ request: Request) async throws -> Response {
        let body = try await readBody(request)
        captured.record(method: "POST", path: request.uri.path, query: request.uri.query ?? "", body: body)
        let object = try decode(body)
        try Admission.check(resource, namespace: namespace, object)
        let created = try await state.create(resource, namespace, object)
        if resource == .pods { await kubelet.admit(created) }
        return Self.json(201, created)
    }

    private func list(_ resource: StandInResource, _ namespace: String, _ request: Request) async throws -> Response {
        captured.record(method: "GET", path: request.uri.path, query: request.uri.query ?? "", body: nil)
        let selector = try LabelSelector(request.uri.queryParameters.get("labelSelector"))
        let (items, version) = await state.list(resource, namespace, selector)
        let limit = request.uri.queryParameters.get("limit").flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        var offset = 0
        if let token = request.uri.queryParameters.get("continue"), !token.isEmpty {
            guard let decoded = Data(base64Encoded: token).map({ String(decoding: $0, as: UTF8.self) }), let start = Int(decoded) else {
                throw APIStatus.badRequest("invalid continue token")
            }
            offset = start
        }
        let page = Array(items.dropFirst(offset).prefix(limit))
        var metadata: [String: JSONValue] = ["resourceVersion": .string("\(version)")]
        if offset + page.count < items.count {
            metadata["continue"] = .string(Data("\(offset + page.count)".utf8).base64EncodedString())
        }
        return Self.json(200, ["kind": .string(resource.listKind), "apiVersion": "v1", "metadata": .object(metadata), "items": .array(page)])
    }

    private func watch(_ resource: StandInResource, _ namespace: String, _ request: Request) async throws -> Response {
        captured.record(method: "GET", path: request.uri.path, query: request.uri.query ?? "", body: nil)
        let selector = try LabelSelector(request.uri.queryParameters.get("labelSelector"))
        let timeout = request.uri.queryParameters.get("timeoutSeconds").flatMap(Int.init) ?? 1800
        let bookmarks = request.uri.queryParameters.get("allowWatchBookmarks") == "true"
        let (stream, id) = try await state.watch(resource, namespace, selector, from: request.uri.queryParameters.get("resourceVersion"))
        let state = self.state
        let bookmarkInterval = options.bookmarkInterval
        return Response(status: .ok, headers: [.contentType: "application/json", .transferEncoding: "chunked"], body: ResponseBody { writer in
            // The server ends a watch after timeoutSeconds; bookmarks carry the current version.
            let ender = Task {
                let deadline = ContinuousClock.now + .seconds(timeout)
                while ContinuousClock.now < deadline {
                    try? await Task.sleep(for: min(bookmarkInterval, deadline - ContinuousClock.now))
                    if Task.isCancelled { return }
                    if bookmarks, ContinuousClock.now < deadline { await state.bookmark(id) }
                }
                await state.stopWatching(id)
            }
            defer { ender.cancel() }
            do {
                for await item in stream {
                    let line: JSONValue
                    switch item {
                    case .change(let type, let object):
                        line = ["type": .string(type), "object": object]
                    case .bookmark(let version):
                        line = ["type": "BOOKMARK", "object": ["kind": .string(resource.kind), "apiVersion": "v1",
                                                               "metadata": ["resourceVersion": .string("\(version)")], "spec": ["containers": .null], "status": [:]]]
                    case .expired(let message):
                        line = ["type": "ERROR", "object": APIStatus.expired(message).body]
                    }
                    var bytes = line.encoded()
                    bytes.append(UInt8(ascii: "\n"))
                    try await writer.write(ByteBuffer(data: bytes))
                }
            } catch {
                await state.stopWatching(id)
                throw error
            }
            await state.stopWatching(id)
            try await writer.finish(nil)
        })
    }

    private func delete(_ resource: StandInResource, _ namespace: String, _ name: String, _ request: Request) async throws -> Response {
        let body = try await readBody(request)
        captured.record(method: "DELETE", path: request.uri.path, query: request.uri.query ?? "", body: body.isEmpty ? nil : body)
        let options = body.isEmpty ? JSONValue.object([:]) : try decode(body)
        if let kind = options["kind"]?.stringValue, kind != "DeleteOptions" { throw APIStatus.badRequest("the body is a \(kind), not DeleteOptions") }
        switch resource {
        case .pods:
            let defaultGrace = await state.get(.pods, namespace, name)?[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
            let grace = request.uri.queryParameters.get("gracePeriodSeconds").flatMap(Int.init) ?? options["gracePeriodSeconds"]?.intValue ?? defaultGrace
            guard let pod = await kubelet.delete(namespace: namespace, name: name, grace: grace) else { throw APIStatus.notFound(resource, name) }
            return Self.json(200, pod)
        case .secrets, .persistentvolumeclaims:
            guard let removed = await state.remove(resource, namespace, name) else { throw APIStatus.notFound(resource, name) }
            if resource == .persistentvolumeclaims { await kubelet.claimDeleted(namespace: namespace, claim: name) }
            return Self.json(200, removed)
        }
    }

    private func accessReview(_ request: Request) async throws -> Response {
        let body = try await readBody(request)
        captured.record(method: "POST", path: request.uri.path, query: request.uri.query ?? "", body: body)
        do {
            var review = try decode(body)
            guard review["kind"]?.stringValue == "SelfSubjectAccessReview", let attributes = review[path: ["spec", "resourceAttributes"]] else {
                throw APIStatus.badRequest("expected a SelfSubjectAccessReview with spec.resourceAttributes")
            }
            let asked = "\(attributes["verb"]?.stringValue ?? "") \(attributes["resource"]?.stringValue ?? "")"
            let allowed = !options.deniedAccess.contains(asked)
            review.set(["status"], .object(omittingNil: ["allowed": .bool(allowed), "reason": allowed ? "RBAC: allowed by RoleBinding netclode/netclode" : nil]))
            return Self.json(201, review)
        } catch let error as APIStatus {
            return Self.status(error)
        }
    }
}
