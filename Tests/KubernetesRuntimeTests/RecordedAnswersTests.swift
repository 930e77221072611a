import Foundation
import Testing

@testable import KubernetesRuntime

/// The runtime's decoders against answers real API servers gave (Fixtures/README.md), and the
/// Pod states it maps onto session errors.
@Suite("Kubernetes API answers")
struct RecordedAnswersTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }

    @Test func watchLinesOfARealServerDecode() throws {
        let lines = try Self.fixture("watch-v1.36-pods-sendInitialEvents.excerpt.jsonl").split(separator: UInt8(ascii: "\n")).map { Data($0) }
        #expect(lines.count == 2)
        guard case .added(let pod) = try WatchEvent.decode(lines[0]) else { Issue.record("first line is not ADDED"); return }
        #expect(pod.metadata.name == "coredns-589f44dc88-4fpns")
        #expect(pod.metadata.resourceVersion == "481")
        #expect(pod.status?.phase == "Running")
        // The bookmark's object is not a Pod (containers: null, no name): only its version counts.
        guard case .bookmark(let version) = try WatchEvent.decode(lines[1]) else { Issue.record("second line is not a BOOKMARK"); return }
        #expect(!version.isEmpty)
    }

    @Test func theInBand410EndsAWatch() throws {
        guard case .error(let status) = try WatchEvent.decode(try Self.fixture("status-410-watch-error-event.json")) else {
            Issue.record("not an ERROR event")
            return
        }
        #expect(status.code == 410)
        #expect(status.reason == "Gone")
    }

    @Test func alreadyExistsBodiesBecomeIdempotentCases() throws {
        let lines = try Self.fixture("status-409-already-exists.jsonl").split(separator: UInt8(ascii: "\n"))
        for line in lines {
            let error = KubernetesAPIError.from(code: 409, body: Data(line), request: "POST x")
            #expect(error.isAlreadyExists)
            #expect(error.message.contains("already exists"))
        }
        let html = KubernetesAPIError.from(code: 502, body: Data("<html>bad gateway</html>\n".utf8), request: "GET /version")
        #expect(html.code == 502 && html.reason.isEmpty && html.message == "<html>bad gateway</html>")
    }

    @Test func aFailedPodOfARealClusterIsAnExit() throws {
        let list = try JSONDecoder().decode(PodList.self, from: try Self.fixture("podlist-v1.36-failed-job-pod.json"))
        #expect(list.metadata.resourceVersion == "636")
        let pod = try #require(list.items.first)
        #expect(PodOutcome(pod) == .exited(code: 5))
    }

    @Test func linesSplitAcrossChunks() throws {
        var splitter = LineSplitter(maximumLine: 64)
        #expect(try splitter.lines(in: Array("{\"a\":".utf8)).isEmpty)
        #expect(try splitter.lines(in: Array("1}\n\n{\"b\":2}\n{\"c\"".utf8)) == [Data("{\"a\":1}".utf8), Data("{\"b\":2}".utf8)])
        #expect(splitter.remainder() == Data("{\"c\"".utf8))
        var small = LineSplitter(maximumLine: 4)
        #expect(throws: KubernetesAPIError.self) { try small.lines(in: Array("12345".utf8)) }
    }

    static func pod(_ status: String) throws -> PodObject {
        try JSONDecoder().decode(PodObject.self, from: Data("{\"metadata\":{\"name\":\"netclode-s1\"},\"status\":\(status)}".utf8))
    }

    @Test("Pod states map onto the session", arguments: [
        (#"{"phase":"Pending"}"#, PodOutcome.live),
        (#"{"phase":"Running","containerStatuses":[{"name":"agent","state":{"running":{}}}]}"#, .live),
        (#"{"phase":"Pending","containerStatuses":[{"name":"agent","state":{"waiting":{"reason":"ContainerCreating"}}}]}"#, .live),
        (#"{"phase":"Succeeded","containerStatuses":[{"name":"agent","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}"#, .exited(code: 0)),
        (#"{"phase":"Failed","containerStatuses":[{"name":"agent","state":{"terminated":{"exitCode":3,"reason":"Error"}}}]}"#, .exited(code: 3)),
    ])
    func liveAndExited(status: String, expected: PodOutcome) throws {
        #expect(PodOutcome(try Self.pod(status)) == expected)
    }

    @Test("platform failures carry Kubernetes' reason", arguments: [
        (#"{"phase":"Failed","containerStatuses":[{"name":"agent","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}"#, "OOMKilled", "memory limit"),
        (#"{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: ephemeral-storage."}"#, "Evicted", "low on resource"),
        (#"{"phase":"Pending","containerStatuses":[{"name":"agent","state":{"waiting":{"reason":"ImagePullBackOff","message":"Back-off pulling image"}}}]}"#, "ImagePullBackOff", "Back-off"),
        (#"{"phase":"Pending","initContainerStatuses":[{"name":"secret-handover","state":{"waiting":{"reason":"ErrImagePull"}}}]}"#, "ErrImagePull", "secret-handover"),
        (#"{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"Unschedulable","message":"0/3 nodes are available: 3 Insufficient memory."}]}"#, "Unschedulable", "Insufficient memory"),
        (#"{"phase":"Failed","initContainerStatuses":[{"name":"secret-handover","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}"#, "Init:Error", "exited with code 1"),
    ])
    func failures(status: String, reason: String, detail: String) throws {
        guard case .failed(let got, let message) = PodOutcome(try Self.pod(status)) else {
            Issue.record("\(status) is not a failure")
            return
        }
        #expect(got == reason)
        #expect(message.contains(reason) && message.contains(detail) && message.contains("netclode-s1"), "\(message)")
    }

    @Test("quantities", arguments: ["250m", "2", "0.5", "512Mi", "10Gi", "1e3", "1E-2", "+1k"])
    func validQuantity(text: String) { #expect(Quantity.isValid(text)) }

    @Test("not quantities", arguments: ["", "Mi", "10GB", "1.2.3", "ten", "1e", "5 Gi", "."])
    func invalidQuantity(text: String) { #expect(!Quantity.isValid(text)) }
}
