import ConnectRPC
import Foundation
import Hummingbird
import SwiftProtobuf
import Synchronization
import Testing
import TestSupport

/// ``ConnectCallObserver`` hears the outcome of every call: success as nil, failures with the
/// code the client sees, for unary calls and server streams alike.
@Suite("Call observer")
struct ObserverTests {
    final class Recorder: ConnectCallObserver {
        let calls = Mutex<[String]>([])

        func connectCallFinished(method: String, code: ConnectError.Code?) {
            calls.withLock { $0.append("\(method) \(code?.rawValue ?? "ok")") }
        }

        /// What was recorded, once `count` calls have been (a stream's outcome is recorded just
        /// after its last bytes are written, so the client can be a moment ahead).
        func snapshot(count: Int) async throws -> [String] {
            for _ in 0..<100 {
                let calls = self.calls.withLock { $0 }
                if calls.count >= count { return calls }
                try await Task.sleep(for: .milliseconds(50))
            }
            return calls.withLock { $0 }
        }
    }

    @Test func everyOutcomeIsReportedOnce() async throws {
        let recorder = Recorder()
        let options = ConnectServerOptions(observer: recorder)
        try await TestServer.with({ router in
            router.connectUnary(EchoService.echo, Echo_V1_EchoRequest.self, Echo_V1_EchoResponse.self, options: options) { request, _ in
                guard request.text != "missing" else { throw ConnectError(.notFound, "no such thing") }
                return EchoService.echoReply(request)
            }
            router.connectServerStream(EchoService.count, Echo_V1_CountRequest.self, Echo_V1_CountResponse.self, options: options) { request, _, stream in
                guard request.count >= 0 else { throw ConnectError(.invalidArgument, "count must not be negative") }
                for number in stride(from: 1, through: request.count, by: 1) { try await stream.send(.with { $0.number = number }) }
            }
        }) { server in
            let client = server.client()
            _ = try await client.unary(EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "hi" }, as: Echo_V1_EchoResponse.self)
            #expect(try await recorder.snapshot(count: 1) == ["\(EchoService.echo) ok"])

            await #expect(throws: ConnectError(.notFound, "no such thing")) {
                _ = try await client.unary(EchoService.echo, Echo_V1_EchoRequest.with { $0.text = "missing" }, as: Echo_V1_EchoResponse.self)
            }
            let unsupported = try await RawHTTP.send("\(server.baseURL)/\(EchoService.echo)", contentType: "text/plain", json: "hi")
            #expect(unsupported.status == 415)
            #expect(try await recorder.snapshot(count: 3).suffix(2) == ["\(EchoService.echo) not_found", "\(EchoService.echo) invalid_argument"])

            var numbers: [Int32] = []
            for try await reply in client.serverStream(EchoService.count, Echo_V1_CountRequest.with { $0.count = 3 }, as: Echo_V1_CountResponse.self) {
                numbers.append(reply.number)
            }
            #expect(numbers == [1, 2, 3])
            #expect(try await recorder.snapshot(count: 4).last == "\(EchoService.count) ok")

            await #expect(throws: ConnectError.self) {
                for try await _ in client.serverStream(EchoService.count, Echo_V1_CountRequest.with { $0.count = -1 }, as: Echo_V1_CountResponse.self) {}
            }
            #expect(try await recorder.snapshot(count: 5).last == "\(EchoService.count) invalid_argument")
            try await Task.sleep(for: .milliseconds(200))
            #expect(recorder.calls.withLock { $0.count } == 5, "one report per call")
        }
    }
}
