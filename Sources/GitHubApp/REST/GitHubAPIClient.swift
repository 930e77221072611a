import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A small client for the GitHub REST endpoints a GitHub App needs, built on async-http-client.
///
/// It sends the headers GitHub asks every client for, authenticates as the App (a fresh JWT per
/// request) or with an installation token, retries what is worth retrying (see ``RetryPolicy``), and
/// turns GitHub's answers into ``GitHubError``s that say what the user should do. It logs methods,
/// paths, statuses and timings — never headers, bodies or tokens.
public struct GitHubAPIClient: Sendable {
    public struct Options: Sendable {
        public var requestTimeout: Duration
        public var retry: RetryPolicy
        public var userAgent: String
        /// Where request timings, API errors and the broker's token counts are recorded.
        public var metrics: GitHubMetrics

        public init(requestTimeout: Duration = .seconds(10), retry: RetryPolicy = .init(), userAgent: String = "netclode/0.1 (+https://github.com/netclode)", metrics: GitHubMetrics = .init()) {
            self.requestTimeout = requestTimeout
            self.retry = retry
            self.userAgent = userAgent
            self.metrics = metrics
        }
    }

    /// How a request authenticates.
    enum Credential: Sendable {
        /// As the App: `Authorization: Bearer <JWT>`.
        case app
        /// As an installation: `Authorization: token <token>`. `issuedAt` lets a 401 right after a
        /// mint be retried.
        case installation(token: String, issuedAt: Date?)
        /// No `Authorization` header: public endpoints such as `GET /users/{login}`.
        case anonymous
    }

    /// A finished exchange: status, headers and the collected body.
    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data

        func decode<T: Decodable>(_ type: T.Type) throws(GitHubError) -> T {
            do {
                return try GitHubJSON.decoder().decode(type, from: body)
            } catch {
                throw .unexpectedResponse(status: status, message: "could not decode \(T.self): \(error)")
            }
        }

        /// GitHub's `message`, or a short excerpt of a non-JSON body.
        var errorMessage: String {
            if let body = try? GitHubJSON.decoder().decode(GitHubErrorBody.self, from: body) { return body.message }
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            return text.isEmpty ? "HTTP \(status)" : text
        }
    }

    public let endpoints: GitHubEndpoints
    let signer: AppJWTSigner
    let httpClient: HTTPClient
    let options: Options
    let logger: Logger
    static let maximumBodySize = 16 * 1024 * 1024

    public init(configuration: GitHubAppConfiguration, httpClient: HTTPClient = .shared, options: Options = .init(), logger: Logger) {
        self.endpoints = configuration.endpoints
        self.signer = AppJWTSigner(appID: configuration.appID, key: configuration.privateKey)
        self.httpClient = httpClient
        self.options = options
        self.logger = logger
    }

    /// Sends one request, retrying per ``RetryPolicy``. Answers that are not retried come back as a
    /// ``Response`` for the caller to interpret; exhausted retries throw `unavailable`/`rateLimited`.
    func send(
        _ method: HTTPMethod,
        _ pathOrURL: String,
        credential: Credential,
        body: Data? = nil
    ) async throws(GitHubError) -> Response {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : endpoints.apiURL.absoluteString + pathOrURL
        let clock = ContinuousClock()
        let started = clock.now
        var attempt = 0
        while true {
            attempt += 1
            let attemptStarted = clock.now
            let outcome: Result<Response, any Error>
            do {
                outcome = .success(try await execute(method, url, credential: credential, body: body))
            } catch {
                outcome = .failure(error)
            }
            options.metrics.requestTook(clock.now - attemptStarted)
            let elapsed = clock.now - started
            let decision: RetryPolicy.Decision
            let failure: GitHubError
            switch outcome {
            case .success(let response):
                logger.debug("GitHub \(method) \(Self.redactedPath(url)) → \(response.status)", metadata: ["attempt": "\(attempt)", "ms": "\(elapsed.milliseconds)"])
                decision = options.retry.decision(
                    status: response.status,
                    header: { response.headers.first(name: $0) },
                    attempt: attempt,
                    tokenAge: credential.tokenAge
                )
                if decision == .doNotRetry { return response }
                failure = Self.exhausted(response, decision: decision)
            case .failure(let error):
                logger.debug("GitHub \(method) \(Self.redactedPath(url)) failed: \(error)", metadata: ["attempt": "\(attempt)"])
                decision = .retry(after: options.retry.backoff(attempt: attempt))
                failure = .unavailable("\(method) \(Self.redactedPath(url)): \(Self.describe(error))")
            }
            let wait: Duration
            switch decision {
            case .retry(let after): wait = after
            case .rateLimited(let after, _): wait = after
            case .doNotRetry: preconditionFailure("handled above")
            }
            guard attempt < options.retry.maxAttempts, elapsed + wait <= options.retry.budget else {
                logger.warning("GitHub \(method) \(Self.redactedPath(url)) gave up after \(attempt) attempts: \(failure.message)")
                throw failure
            }
            logger.info("GitHub \(method) \(Self.redactedPath(url)) will retry in \(wait.milliseconds) ms", metadata: ["attempt": "\(attempt)"])
            do {
                try await Task.sleep(for: wait)
            } catch {
                throw .unavailable("cancelled while waiting to retry \(method) \(Self.redactedPath(url))")
            }
        }
    }

    private func execute(_ method: HTTPMethod, _ url: String, credential: Credential, body: Data?) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        request.headers.add(name: "User-Agent", value: options.userAgent)
        switch credential {
        case .app: request.headers.add(name: "Authorization", value: "Bearer \(try signer.token())")
        case .installation(let token, _): request.headers.add(name: "Authorization", value: "token \(token)")
        case .anonymous: break
        }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
        }
        let timeout = TimeAmount.milliseconds(options.requestTimeout.milliseconds)
        let response = try await httpClient.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: Self.maximumBodySize)
        return Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: collected))
    }

    /// The error to report when a retried answer stays bad until the budget runs out.
    private static func exhausted(_ response: Response, decision: RetryPolicy.Decision) -> GitHubError {
        if case .rateLimited(_, let resetAt) = decision {
            return .rateLimited(resetAt: resetAt, message: response.errorMessage)
        }
        if response.status == 401 { return .badCredentials(response.errorMessage) }
        return .unavailable("HTTP \(response.status): \(response.errorMessage)")
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout { return "timed out" }
            return "\(error)"
        }
        return String(describing: error)
    }

    /// URLs carry no secrets today; this keeps query strings out of logs in case one ever does.
    static func redactedPath(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        return components.path
    }
}

extension GitHubAPIClient.Credential {
    var tokenAge: Duration? {
        guard case .installation(_, let issuedAt?) = self else { return nil }
        return .milliseconds(Int64(Date().timeIntervalSince(issuedAt) * 1000))
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
