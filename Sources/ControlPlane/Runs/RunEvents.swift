import NetclodeProto
import SwiftProtobuf

/// The events of one run, live, until its final `run` event: what `RunPrompt` streams.
///
/// Reads a subscription to the session made before the run started, so nothing of the run can
/// be missed; other events of the session are skipped. Like a watch, it is bounded: a caller
/// that falls too far behind is closed with `resource_exhausted` and the cursor to resume from
/// with `WatchSession` (the events are in the history).
public struct RunEvents: AsyncSequence, Sendable {
    public typealias Element = [Netclode_V1_RunPromptResponse]

    public let runID: String
    let sessionID: String
    let inbox: WatchInbox
    let unsubscribe: @Sendable () -> Void

    /// Stops following the run (the run itself goes on); safe to call more than once.
    public func close() {
        inbox.finish()
        unsubscribe()
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(events: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let events: RunEvents
        var lastCursor: Int64 = 0
        var ended = false

        public mutating func next() async throws -> Element? {
            while !ended {
                guard let items = await events.inbox.nextBatch() else {
                    ended = true
                    events.close()
                    if events.inbox.overflowed {
                        throw ControlPlaneError.resourceExhausted(
                            "this stream fell more than \(events.inbox.limitDescription) behind and was closed; the run goes on: "
                                + "follow it with WatchSession from afterCursor=\(lastCursor)")
                    }
                    return nil
                }
                var batch: Element = []
                for case .event(let published) in items where published.event.runID == events.runID
                    && (published.event.kind == ProcessEventKind.run || published.event.kind == ProcessEventKind.agentOutput) {
                    let (cursor, event) = (published.cursor, published.event)
                    batch.append(.with {
                        $0.runID = events.runID
                        $0.cursor = String(cursor)
                        $0.event = event
                    })
                    lastCursor = cursor
                    if event.kind == ProcessEventKind.run, RunStage(rawValue: event.stage)?.isFinal == true {
                        ended = true
                        events.close()
                        break
                    }
                }
                if !batch.isEmpty { return batch }
            }
            return nil
        }
    }
}
