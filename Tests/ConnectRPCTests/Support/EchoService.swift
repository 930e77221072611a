import ConnectRPC
import Hummingbird
import SwiftProtobuf

/// The echo service's straightforward behaviour; tests add routes of their own for the rest.
enum EchoService {
    static let echo = "echo.v1.EchoService/Echo"
    static let count = "echo.v1.EchoService/Count"

    static func echoReply(_ request: Echo_V1_EchoRequest) -> Echo_V1_EchoResponse {
        Echo_V1_EchoResponse.with {
            let text = Array(repeating: request.text, count: max(1, Int(request.repeatCount))).joined(separator: " ")
            $0.text = text
            $0.textLength = Int32(text.count)
            $0.shouted = !text.isEmpty && text == text.uppercased()
            $0.tags = request.tags
        }
    }

    /// `Echo` echoes (over POST, or GET: it has no side effects, as echo.proto declares); `Count`
    /// streams `1...count` with the request's label.
    static func register(on router: Router<BasicRequestContext>) {
        router.connectUnary(echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self, idempotency: .noSideEffects) { request, _ in
            echoReply(request)
        }
        router.connectServerStream(count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self) { request, _, stream in
            guard request.count >= 0 else { throw ConnectError(.invalidArgument, "count must not be negative") }
            for number in stride(from: 1, through: request.count, by: 1) {
                try await stream.send(.with { $0.number = number; $0.label = request.label })
            }
        }
    }
}
