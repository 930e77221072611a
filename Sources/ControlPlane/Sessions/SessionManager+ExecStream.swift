import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// `ExecStream`: `Exec` with its output streamed as it comes and the exit code last. Nothing goes
/// into the session's history; the output travels from the agent's reports to the caller through
/// a bounded inbox.
extension SessionManager {
    /// Output chunks (up to 32 KiB each) a caller may fall behind by before its stream is closed
    /// and the command stopped.
    static let execStreamCapacity = 256

    public func execStream(_ request: Netclode_V1_ExecRequest) async throws(ControlPlaneError) -> ExecOutput {
        let (record, command, timeout) = try await validatedExec(request)
        let id = record.id
        let processID = Identifiers.execStreamID()
        let inbox = WatchInbox(capacity: Self.execStreamCapacity)
        execStreams[processID] = (id, inbox)
        let start = Netclode_V1_StartProcess.with {
            $0.processID = processID
            $0.purpose = "exec"
            $0.command = command.command
            $0.workdir = command.workdir
            $0.timeoutSeconds = command.timeoutSeconds
        }
        guard await agents.send(sessionID: id, .make(.startProcess(start))) else {
            execStreams[processID] = nil
            throw .unavailable("the agent of session \(id) is not connected")
        }
        let watchdog = Task { [weak self] in
            guard (try? await Task.sleep(for: timeout + Self.runEndAllowance)) != nil else { return }
            await self?.closeExecStream(processID, cancelling: true)
        }
        return ExecOutput(processID: processID, inbox: inbox, timeout: timeout) { [weak self] in
            watchdog.cancel()
            Task { await self?.closeExecStream(processID, cancelling: true) }
        }
    }

    /// An `exec_output` or `exec` event from the agent, for the caller streaming it. Events of a
    /// stream nobody follows any more (its caller went away) are dropped.
    func deliverExecStreamEvent(_ event: Netclode_V1_AgentEvent, from sessionID: String) {
        guard let (owner, inbox) = execStreams[event.runID], owner == sessionID else { return }
        inbox.append(.event(PublishedEvent(sessionID: sessionID, cursor: 0, event: event)))
        if inbox.overflowed {
            closeExecStream(event.runID, cancelling: true)
        } else if event.kind == ProcessEventKind.exec {
            execStreams[event.runID] = nil
        }
    }

    /// Forgets a stream; `cancelling` also stops its command if it may still run.
    func closeExecStream(_ processID: String, cancelling: Bool) {
        guard let (sessionID, inbox) = execStreams.removeValue(forKey: processID) else { return }
        inbox.finish()
        guard cancelling else { return }
        let agents = self.agents
        Task {
            await agents.send(sessionID: sessionID, .make(.cancelProcess(.with {
                $0.processID = processID
                $0.reason = "the caller stopped reading"
            })))
        }
    }

    /// The sandbox is going away: every stream of the session ends.
    func endExecStreams(of sessionID: String, because reason: String) {
        for (processID, stream) in execStreams where stream.sessionID == sessionID {
            closeExecStream(processID, cancelling: false)
        }
    }
}

/// The output of one `ExecStream`, then its exit code.
public struct ExecOutput: AsyncSequence, Sendable {
    public typealias Element = [Netclode_V1_ExecStreamResponse]

    let processID: String
    let inbox: WatchInbox
    let timeout: Duration
    let onClose: @Sendable () -> Void

    /// Stops streaming and the command, if it still runs; safe to call more than once.
    public func close() {
        inbox.finish()
        onClose()
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(output: self) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let output: ExecOutput
        var ended = false

        public mutating func next() async throws -> Element? {
            while !ended {
                guard let items = await output.inbox.nextBatch() else {
                    ended = true
                    if output.inbox.overflowed {
                        throw ControlPlaneError.resourceExhausted(
                            "this stream fell more than \(output.inbox.limitDescription) behind; the command was stopped")
                    }
                    throw ControlPlaneError.unavailable("the command's sandbox went away before it finished (or it outlived its \(output.timeout) timeout)")
                }
                var batch: Element = []
                for case .event(let published) in items {
                    let event = published.event
                    if event.kind == ProcessEventKind.execOutput {
                        batch.append(.with {
                            $0.stream = event.stream
                            $0.data = event.data
                        })
                    } else if event.kind == ProcessEventKind.exec {
                        if !event.hasExitCode {
                            // The command could not start: said on stderr with 127, as Exec does.
                            batch.append(.with {
                                $0.stream = "stderr"
                                $0.data = "netclode: \(event.message)\n"
                            })
                        }
                        batch.append(.with {
                            $0.exitCode = event.hasExitCode ? event.exitCode : 127
                            $0.timedOut = event.hasExitCode && event.exitCode == 124 && event.stage == "failed"
                        })
                        ended = true
                        break
                    }
                }
                if !batch.isEmpty { return batch }
            }
            return nil
        }
    }
}
