import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// The few REST calls the runtime makes, over async-http-client: create, get, list, delete and
/// watch of namespaced objects, JSON in and out, errors as ``KubernetesAPIError`` built from the
/// server's `Status`.
///
/// Calls that did not reach the server or got 429/5xx are tried again (up to three times, after
/// `Retry-After` when the server gives one). A retried POST that had in fact succeeded answers
/// 409 AlreadyExists, which the runtime treats as the success it is.
public final class KubernetesClient: Sendable {
    /// One of the resources the runtime uses, and the path of its collection.
    public struct Resource: Sendable {
        public let plural: String
        let collectionPath: @Sendable (String) -> String

        public static let pods = Resource(plural: "pods") { "/api/v1/namespaces/\($0)/pods" }
        public static let secrets = Resource(plural: "secrets") { "/api/v1/namespaces/\($0)/secrets" }
        public static let persistentVolumeClaims = Resource(plural: "persistentvolumeclaims") { "/api/v1/namespaces/\($0)/persistentvolumeclaims" }
    }

    public let connection: ClusterConnection
    private let http: HTTPClient
    private let token: BearerToken
    private let logger: Logger
    static let requestTimeout: Duration = .seconds(30)
    static let maximumBody = 32 * 1024 * 1024

    public init(connection: ClusterConnection, logger: Logger) throws(KubernetesConfigError) {
        self.connection = connection
        self.token = BearerToken(connection.credentials)
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = connection.certificateAuthority {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if case .clientCertificate(let certificate, let key) = connection.credentials {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubernetesConfigError("the certificates of \(connection.source) cannot be loaded: \(error)")
        }
        if connection.insecureSkipTLSVerify { tls.certificateVerification = .none }
        // Closing a connection waits this long for the server's close_notify (5 s by default):
        // a watch's connection is only ever closed at shutdown, which need not wait for it.
        tls.shutdownTimeout = .seconds(1)
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout.connect = .seconds(10)
        // A refused or failed connection fails the call at once (the pool would otherwise try
        // again until the call's deadline): ``send`` retries a few times itself, and the watch
        // loop backs off, both saying why.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.decompression = .disabled
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connections; no call may follow.
    public func shutdown() async {
        try? await http.shutdown()
    }

    // MARK: Calls

    /// `POST` of `body` to the collection: the created object (201). 409 AlreadyExists is thrown
    /// like any error; callers decide what it means.
    public func create(_ resource: Resource, namespace: String, body: JSONValue) async throws -> Data {
        try await send(.POST, resource.collectionPath(namespace), body: body, expecting: [201, 200])
    }

    public func get(_ resource: Resource, namespace: String, name: String) async throws -> Data {
        try await send(.GET, resource.collectionPath(namespace) + "/" + name, expecting: [200])
    }

    /// `DELETE` with background propagation (dependents go too) and `gracePeriodSeconds` when
    /// given. True when it deleted something; false when it was already gone (404).
    @discardableResult
    public func delete(_ resource: Resource, namespace: String, name: String, gracePeriodSeconds: Int? = nil) async throws -> Bool {
        let options = JSONValue.object(omittingNil: [
            "kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background",
            "gracePeriodSeconds": gracePeriodSeconds.map { .int($0) },
        ])
        do {
            _ = try await send(.DELETE, resource.collectionPath(namespace) + "/" + name, body: options, expecting: [200, 202])
            return true
        } catch let error as KubernetesAPIError where error.isNotFound {
            return false
        }
    }

    /// Every object of the collection matching `labelSelector`, page by page.
    public func list(_ resource: Resource, namespace: String, labelSelector: String) async throws -> PodList {
        var items: [PodObject] = []
        var token: String?
        while true {
            var query = [("labelSelector", labelSelector), ("limit", "500")]
            if let token { query.append(("continue", token)) }
            let data = try await send(.GET, resource.collectionPath(namespace), query: query, expecting: [200])
            let page = try decode(PodList.self, data, request: "GET \(resource.collectionPath(namespace))")
            items += page.items
            guard let next = page.metadata.continue, !next.isEmpty else {
                return PodList(metadata: ListMeta(resourceVersion: page.metadata.resourceVersion, continue: nil), items: items)
            }
            token = next
        }
    }

    /// `POST` to a path outside the namespaced collections (an access review).
    public func post(_ path: String, body: JSONValue) async throws -> Data {
        try await send(.POST, path, body: body, expecting: [201, 200])
    }

    /// `GET` of any path (`/version`).
    public func get(path: String) async throws -> Data {
        try await send(.GET, path, expecting: [200])
    }

    /// A watch from `resourceVersion`: the events as they arrive, until the server ends the
    /// stream (after `timeoutSeconds`) or the caller stops reading. A too-old resourceVersion
    /// arrives as an `.error` event with code 410 (or, from some servers, as an HTTP 410 thrown).
    public func watch(_ resource: Resource, namespace: String, labelSelector: String, resourceVersion: String,
                      timeoutSeconds: Int) -> AsyncThrowingStream<WatchEvent, any Error> {
        let path = resource.collectionPath(namespace)
        let query = [("watch", "1"), ("labelSelector", labelSelector), ("resourceVersion", resourceVersion),
                     ("allowWatchBookmarks", "true"), ("timeoutSeconds", "\(timeoutSeconds)")]
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let request = try self.request(.GET, path, query: query, body: nil)
                    // The server ends the stream after timeoutSeconds; the deadline only catches a
                    // server that does not.
                    let response = try await self.http.execute(request, timeout: .seconds(Int64(timeoutSeconds) + 30), logger: self.logger)
                    guard response.status.code == 200 else {
                        let body = try await response.body.collect(upTo: 1024 * 1024)
                        throw KubernetesAPIError.from(code: Int(response.status.code), body: Data(buffer: body), request: "GET \(path) (watch)")
                    }
                    var splitter = LineSplitter(maximumLine: Self.maximumBody)
                    for try await chunk in response.body {
                        for line in try splitter.lines(in: chunk.readableBytesView) {
                            continuation.yield(try WatchEvent.decode(line))
                        }
                    }
                    if let last = splitter.remainder() { continuation.yield(try WatchEvent.decode(last)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data, request: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw KubernetesAPIError(code: 200, reason: "", message: "the answer is not the expected JSON: \(error)", request: request)
        }
    }

    // MARK: Transport

    private func request(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: JSONValue?) throws -> HTTPClientRequest {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves `+`, `=` and `,` alone in values; label selectors only need `=`
        // and `,` kept or escaped consistently, and the server decodes either.
        let queryString = components.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? ""
        var request = HTTPClientRequest(url: connection.server.absoluteString + path + queryString)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "netclode")
        if let token = try token.current() {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.encoded()))
        }
        return request
    }

    private func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, expecting: Set<Int>) async throws -> Data {
        let described = "\(method.rawValue) \(path)"
        var attempt = 0
        while true {
            attempt += 1
            let request = try self.request(method, path, query: query, body: body)
            let retryAfter: Duration
            do {
                let response = try await http.execute(request, timeout: .seconds(Int64(Self.requestTimeout.components.seconds)), logger: logger)
                let data = Data(buffer: try await response.body.collect(upTo: Self.maximumBody))
                let code = Int(response.status.code)
                if expecting.contains(code) { return data }
                let error = KubernetesAPIError.from(code: code, body: data, request: described)
                guard code == 429 || code >= 500, attempt < 3 else { throw error }
                retryAfter = response.headers.first(name: "Retry-After").flatMap { Int($0) }.map { .seconds(min($0, 10)) } ?? .milliseconds(500 * attempt)
                logger.debug("Kubernetes API busy; trying again", metadata: ["request": "\(described)", "code": "\(code)"])
            } catch let error as KubernetesAPIError {
                throw error
            } catch let error as KubernetesConfigError {
                throw error
            } catch {
                guard attempt < 3, !Task.isCancelled else {
                    throw KubernetesAPIError(code: 0, reason: "", message: "\(error)", request: described)
                }
                retryAfter = .milliseconds(500 * attempt)
            }
            try await Task.sleep(for: retryAfter)
        }
    }
}
