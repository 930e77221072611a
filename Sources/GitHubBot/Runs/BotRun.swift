import ControlPlane
import Foundation
import GitHubApp
import Logging
import NetclodeProto
import Storage
import SwiftProtobuf

/// The work of one trigger, from the 👀 to the final status comment.
///
/// 1. A token for this repository with only `issues` and `pull_requests` (revoked at the end).
/// 2. The sender must have `write` or `admin` by the collaborator-permission endpoint; otherwise a
///    short reply says why and nothing else happens.
/// 3. 👀 on the trigger, one status comment (a reply in the thread for review comments).
/// 4. A session with write access (commits authored by the App's bot account, the default) whose
///    push policy allows only the run's branch: a new
///    `netclode/<n>-<slug>` from the default branch for an issue, the head branch of a pull
///    request from this repository (never a fork's).
/// 5. The agent runs on the request; whatever it committed is pushed to the branch.
/// 6. Commits on a new branch become a draft pull request (an existing one is linked); a branch
///    with nothing new is deleted. The status comment is edited to the outcome.
///
/// Every step is recorded in the delivery, so a run cut short by a crash is resumed — the same
/// status comment edited, a fresh session made — after a restart or a redelivery.
struct BotRun {
    let context: BotContext
    var delivery: WebhookDeliveryRecord
    let trigger: Trigger

    private var client: GitHubAPIClient { context.client }
    private var status: StatusComment { StatusComment(deliveryID: delivery.id) }

    /// What a run came to, for the delivery's record.
    struct Failure: Error {
        let message: String
    }

    mutating func perform() async -> WebhookDeliveryRecord {
        let started = ContinuousClock.now
        let token: InstallationToken
        do {
            token = try await conversationToken()
        } catch {
            // Nothing can be said on GitHub without a token: the log and the record say it.
            context.logger.error("bot: cannot mint a token for \(trigger.repository.fullName): \(error.message)", metadata: ["delivery": "\(delivery.id)"])
            return await finish(outcome: "failed: no token for \(trigger.repository.fullName): \(error.message)")
        }
        defer { Task { [client] in try? await client.revoke(token) } }

        do {
            try await authorize(token: token)
        } catch {
            return await finish(outcome: "refused: \(error.message)")
        }
        var session: String?
        var branch: String?
        var pullRequestURL: String?
        var output = ""
        do {
            try? await client.react(.eyes, to: trigger.reactionTarget, in: trigger.repository, token: token)
            try await say(status.working(session: nil, requester: trigger.sender), token: token)
            var plan = try await branchPlan(token: token)
            branch = plan.branch
            let id = try await makeSession(plan: plan)
            session = id
            try await say(status.working(session: id, requester: trigger.sender), token: token)
            try await waitUntilReady(id)
            plan = try await checkOut(plan, in: id)
            let run = try await runAgent(in: id)
            output = run.output
            let pushed = try await push(plan, in: id)
            pullRequestURL = try await conclude(plan, pushed: pushed, session: id, token: token)
            let summary = run.failure.map { "the agent's run \($0)" }
                ?? (pullRequestURL != nil ? "changes pushed" : "the agent made no commits, so there is nothing to review")
            if !Task.isCancelled { try? await say(status.final(.init(succeeded: run.failure == nil, summary: summary, duration: .now - started,
                                              session: id, branch: pullRequestURL != nil ? plan.branch : nil,
                                              pullRequestURL: pullRequestURL, output: output)), token: token) }
            await park(id)
            return await finish(outcome: run.failure.map { "run \($0)" } ?? (pullRequestURL.map { "done: \($0)" } ?? "done: no changes"))
        } catch {
            let message = Self.describe(error)
            guard !Task.isCancelled else { return delivery }
            try? await say(status.final(.init(succeeded: false, summary: message, duration: .now - started, session: session,
                                              branch: branch, pullRequestURL: pullRequestURL, output: output)), token: token)
            if let session { await park(session) }
            return await finish(outcome: "failed: \(message)")
        }
    }

    // MARK: Steps

    /// Only people with write access drive a write-capable agent; no fallback to organisation
    /// membership or `author_association`. A refusal is answered in one short comment.
    private mutating func authorize(token: InstallationToken) async throws(Failure) {
        let permission: CollaboratorPermission
        do {
            permission = try await client.permission(of: trigger.sender, in: trigger.repository, token: token)
        } catch {
            try? await say(status.refused("I could not check @\(trigger.sender)'s permission on \(trigger.repository.fullName) (\(error.message)), so I am not starting."), token: token)
            throw Failure(message: "could not check \(trigger.sender)'s permission: \(error.message)")
        }
        guard permission.canWrite else {
            try? await say(status.refused("Only people with write access to \(trigger.repository.fullName) can ask me for changes; @\(trigger.sender) has \(permission.rawValue) access."), token: token)
            throw Failure(message: "\(trigger.sender) has \(permission.rawValue) access")
        }
    }

    struct BranchPlan {
        /// The branch the session may push, and the pull request's head.
        var branch: String
        /// What the branch starts from (`origin/...`), and what "new commits" are counted against.
        var base: String
        /// The repository's default branch, the pull request's base.
        var defaultBranch: String
        /// An existing pull request this run works on.
        var pullRequest: PullRequest?
    }

    private func branchPlan(token: InstallationToken) async throws -> BranchPlan {
        let repository = try await client.repository(trigger.repository, token: token)
        let defaultBranch = repository.defaultBranch ?? "main"
        guard trigger.isPullRequest else {
            let branch = BranchName.forIssue(trigger.number, title: trigger.title)
            return BranchPlan(branch: branch, base: "origin/\(defaultBranch)", defaultBranch: defaultBranch)
        }
        let pull = try await client.pullRequest(trigger.number, in: trigger.repository, token: token)
        guard let head = pull.head.repositoryFullName, head.lowercased() == trigger.repository.key else {
            throw Failure(message: "this pull request's branch lives in \(pull.head.repositoryFullName ?? "a deleted fork"); Netclode never pushes to a fork")
        }
        return BranchPlan(branch: pull.head.ref, base: "origin/\(pull.head.ref)", defaultBranch: pull.base.ref, pullRequest: pull)
    }

    private mutating func makeSession(plan: BranchPlan) async throws -> String {
        if let stale = delivery.sessionID {
            // A run cut short (crash) made it; its sandbox is gone or stale: start afresh.
            _ = try? await context.manager.deleteSession(stale)
        }
        let name = "GitHub bot: \(trigger.repository.fullName)#\(trigger.number) \(trigger.url)"
        let session = try await context.manager.createSession(.with {
            $0.name = String(name.prefix(100))
            $0.repos = [trigger.repository.fullName]
            $0.repoAccess = "write"
            $0.pushPolicy = .with {
                $0.branches = [plan.branch]
                $0.allowForcePush = false
                $0.allowDelete = false
            }
        })
        delivery.sessionID = session.id
        try await context.store.updateDelivery(delivery)
        return session.id
    }

    private func waitUntilReady(_ id: String) async throws {
        let deadline = ContinuousClock.now + .seconds(15 * 60)
        while ContinuousClock.now < deadline {
            let session = try await context.manager.session(id)
            switch session.status {
            case "ready": return
            case "error", "paused", "deleted":
                throw Failure(message: "the session stopped before it was ready (\(session.status)): \(session.error)")
            default:
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        throw Failure(message: "the session was not ready within 15 minutes")
    }

    /// The branch checked out in the workspace (a single repository is cloned into its root). An
    /// issue's branch that an earlier run pushed is continued, not started over: the next push is
    /// then a fast-forward, and the pull request it has gets the new commits.
    private func checkOut(_ plan: BranchPlan, in session: String) async throws -> BranchPlan {
        var plan = plan
        var existing = plan.pullRequest != nil
        if !existing {
            let remote = try await git(["ls-remote", "--heads", "origin", "refs/heads/\(plan.branch)"], in: session)
            existing = !remote.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
        if existing {
            _ = try await git(["fetch", "origin", "+refs/heads/\(plan.branch):refs/remotes/origin/\(plan.branch)"], in: session)
            plan.base = "origin/\(plan.branch)"
        }
        _ = try await git(["checkout", "-B", plan.branch, plan.base], in: session)
        return plan
    }

    struct RunResult {
        var output: String
        /// nil when the agent finished with exit code 0.
        var failure: String?
    }

    private func runAgent(in session: String) async throws -> RunResult {
        let events = try await context.manager.runPrompt(.with {
            $0.sessionID = session
            $0.prompt = prompt
            $0.timeoutSeconds = Int32(context.settings.runTimeout.components.seconds)
        })
        defer { events.close() }
        var output = ""
        var failure: String? = "ended without a result"
        for try await batch in events {
            for item in batch {
                let event = item.event
                if event.kind == "agent_output" {
                    output += event.data
                    if output.count > 2 * StatusComment.outputBudget { output = String(output.suffix(StatusComment.outputBudget)) }
                } else if event.kind == "run", event.stage != "started" {
                    failure = event.stage == "finished" && event.exitCode == 0 ? nil
                        : "\(event.stage)\(event.hasExitCode ? " with exit code \(event.exitCode)" : "")\(event.message.isEmpty ? "" : ": \(event.message)")"
                }
            }
        }
        return RunResult(output: Secrets.redacted(output), failure: failure)
    }

    /// What the agent is asked: the request, then the conversation it came from.
    var prompt: String {
        let kind = trigger.isPullRequest ? "pull request" : "issue"
        return """
            \(trigger.request.isEmpty ? "Please address this \(kind)." : trigger.request)

            ---
            This request comes from GitHub \(kind) #\(trigger.number) in \(trigger.repository.fullName): \(trigger.title)
            \(trigger.url)

            \(trigger.body)
            """
    }

    /// Pushes the branch when it has commits its base lacks; whether it did.
    private func push(_ plan: BranchPlan, in session: String) async throws -> Bool {
        let ahead = try await git(["rev-list", "--count", "\(plan.base)..HEAD"], in: session)
        guard let count = Int(ahead.trimmingCharacters(in: .whitespacesAndNewlines)), count > 0 else { return false }
        _ = try await git(["push", "origin", "HEAD:refs/heads/\(plan.branch)"], in: session)
        return true
    }

    /// The pull request for the pushed branch (an existing one, or a new draft). A branch the agent
    /// pushed without anything new is deleted. Returns the pull request's link.
    ///
    /// What the branch holds is asked of git in the sandbox, not of the API: the conversation
    /// token has no `contents` permission.
    private func conclude(_ plan: BranchPlan, pushed: Bool, session: String, token: InstallationToken) async throws -> String? {
        if let pull = plan.pullRequest { return pushed ? pull.htmlURL : nil }
        guard pushed else {
            // Nothing new from this run. A branch the agent pushed empty is deleted; one an earlier
            // run filled keeps its pull request.
            let remote = try await git(["ls-remote", "--heads", "origin", "refs/heads/\(plan.branch)"], in: session)
            guard !remote.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
            _ = try await git(["fetch", "origin", "+refs/heads/\(plan.branch):refs/remotes/origin/\(plan.branch)"], in: session)
            let ahead = try await git(["rev-list", "--count", "origin/\(plan.defaultBranch)..origin/\(plan.branch)"], in: session)
            guard Int(ahead.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 > 0 else {
                try await deleteBranch(plan.branch)
                return nil
            }
            return try await client.openPullRequest(head: plan.branch, in: trigger.repository, token: token)?.htmlURL
        }
        let body = """
            Draft by Netclode for #\(trigger.number) (\(trigger.url)), asked by @\(trigger.sender).
            Session: `\(session)`.
            """
        switch try await client.openDraftPullRequest(in: trigger.repository, head: plan.branch, base: plan.defaultBranch,
                                                     title: trigger.title, body: StatusComment.defused(body), token: token) {
        case .created(let pull), .existing(let pull): return pull.htmlURL
        }
    }

    /// Deleting a branch needs `contents: write`, which the conversation token does not have: a
    /// token for just this, revoked at once.
    private func deleteBranch(_ branch: String) async throws {
        let token = try await client.createInstallationToken(
            installationID: trigger.installationID, owner: trigger.repository.owner, repositories: [trigger.repository],
            permissions: ["contents": "write"], access: .write)
        defer { Task { [client] in try? await client.revoke(token) } }
        try await client.deleteBranch(branch, in: trigger.repository, token: token)
    }

    private func git(_ arguments: [String], in session: String) async throws -> String {
        let result = try await context.manager.exec(.with {
            $0.sessionID = session
            $0.command = ["git"] + arguments
            $0.timeoutSeconds = 300
        })
        guard result.hasExitCode, result.exitCode == 0 else {
            throw Failure(message: "git \(arguments.first ?? "") failed (exit \(result.hasExitCode ? String(result.exitCode) : "?")): \(Secrets.redacted(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)).suffix(500))")
        }
        return result.stdout
    }

    /// A finished run's session is paused (its workspace kept for a look) and deleted after the
    /// retention period.
    private func park(_ id: String) async {
        _ = try? await context.manager.pauseSession(id)
    }

    /// An error in the words the status comment shows.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let failure as Failure: failure.message
        case let github as GitHubError: github.message
        case let controlPlane as ControlPlaneError: controlPlane.description
        default: "\(error)"
        }
    }

    // MARK: Comments and the record

    /// Writes the status comment, or edits it once it exists.
    private mutating func say(_ body: String, token: InstallationToken) async throws {
        if let id = delivery.statusCommentID {
            _ = try await client.updateComment(Int(id), reviewThread: isThreadReply, in: trigger.repository, body: body, token: token)
            return
        }
        let comment: IssueComment
        switch trigger.source {
        case .reviewComment(_, let thread):
            comment = try await client.replyToReviewComment(thread, pullRequest: trigger.number, in: trigger.repository, body: body, token: token)
        case .issueComment, .issueBody:
            comment = try await client.createComment(on: trigger.number, in: trigger.repository, body: body, token: token)
        }
        delivery.statusCommentID = Int64(comment.id)
        try await context.store.updateDelivery(delivery)
    }

    private var isThreadReply: Bool {
        if case .reviewComment = trigger.source { return true }
        return false
    }

    /// Answers a request the bot will not run (the queue is full, the hourly cap is reached).
    mutating func refuse(_ reason: String) async -> WebhookDeliveryRecord {
        if let token = try? await conversationToken() {
            defer { Task { [client] in try? await client.revoke(token) } }
            try? await say(status.refused(reason), token: token)
        }
        return await finish(outcome: "refused: \(reason)")
    }

    /// Tells the requester their run waits, with the 👀 that says it was seen.
    mutating func announceQueued(_ reason: String) async {
        guard delivery.statusCommentID == nil, let token = try? await conversationToken() else { return }
        defer { Task { [client] in try? await client.revoke(token) } }
        try? await client.react(.eyes, to: trigger.reactionTarget, in: trigger.repository, token: token)
        try? await say(status.queued(reason: reason), token: token)
    }

    /// A token for this repository that can comment, react and open pull requests, and nothing else.
    private func conversationToken() async throws(GitHubError) -> InstallationToken {
        try await client.createInstallationToken(
            installationID: trigger.installationID, owner: trigger.repository.owner, repositories: [trigger.repository],
            permissions: ["issues": "write", "pull_requests": "write"])
    }

    /// Records the outcome — unless the run was cancelled because the control plane is stopping:
    /// then the delivery stays `running` and the next start resumes it.
    private mutating func finish(outcome: String) async -> WebhookDeliveryRecord {
        guard !Task.isCancelled else { return delivery }
        delivery.state = .done
        delivery.outcome = outcome
        delivery.updatedAt = Date()
        do { try await context.store.updateDelivery(delivery) } catch {
            context.logger.error("bot: recording the end of delivery \(delivery.id) failed: \(error)")
        }
        context.logger.info("bot: \(trigger.conversation): \(outcome)", metadata: ["delivery": "\(delivery.id)"])
        return delivery
    }
}
