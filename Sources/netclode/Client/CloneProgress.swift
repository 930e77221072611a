import NetclodeProto

/// What `create --watch` knows about each repository's clone, fed with `repo_clone` events.
struct CloneProgress {
    struct Repo: Equatable {
        /// The clone URL, as events name it.
        var url: String
        var name: String
        var stage: String = "pending"
        var phase: String = ""
        var percent: Int?
        var message: String = ""

        var isFinal: Bool { stage == "done" || stage == "error" }
    }

    /// What an event changed.
    enum Change: Equatable {
        case none
        /// Only the progress within a stage (phase or percent).
        case progress(index: Int)
        /// A new stage (or a repo seen for the first time).
        case stage(index: Int)
    }

    private(set) var repos: [Repo]

    init(repos: [String]) {
        self.repos = repos.map { Repo(url: $0, name: Formatting.repoName($0)) }
    }

    mutating func apply(_ event: Netclode_V1_AgentEvent) -> Change {
        guard event.kind == "repo_clone", !event.stage.isEmpty else { return .none }
        let index: Int
        if let known = repos.firstIndex(where: { $0.url == event.repo }) {
            index = known
        } else {
            repos.append(Repo(url: event.repo, name: Formatting.repoName(event.repo)))
            index = repos.count - 1
        }
        var repo = repos[index]
        // Late progress ticks after the end do not reopen a finished clone.
        if repo.isFinal && event.stage == "cloning" { return .none }
        let stageChanged = repo.stage != event.stage
        repo.stage = event.stage
        repo.message = event.message
        if event.stage == "cloning" {
            repo.phase = event.phase
            repo.percent = event.hasPercent ? Int(event.percent) : repo.percent
        } else if event.stage == "done" {
            repo.percent = 100
        } else if event.stage == "starting" {
            repo.phase = ""
            repo.percent = nil
        }
        guard repo != repos[index] || stageChanged else { return .none }
        repos[index] = repo
        return stageChanged ? .stage(index: index) : .progress(index: index)
    }
}

/// Draws ``CloneProgress`` on stdout: on a terminal a live block of one bar per repository,
/// redrawn in place; otherwise one plain line per stage change.
struct CloneProgressView {
    static let barWidth = 24

    let live: Bool
    /// Lines of the live block already on screen.
    private var drawnLines = 0

    init(live: Bool) {
        self.live = live
    }

    mutating func update(_ progress: CloneProgress, change: CloneProgress.Change) {
        if live {
            redraw(progress)
        } else if case .stage(let index) = change {
            ClientOutput.line(Self.plainLine(progress.repos[index]))
        }
    }

    /// Draws the block once (so the repos show before their first event).
    mutating func start(_ progress: CloneProgress) {
        if live && !progress.repos.isEmpty { redraw(progress) }
    }

    private mutating func redraw(_ progress: CloneProgress) {
        let width = progress.repos.map(\.name.count).max() ?? 0
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        for repo in progress.repos {
            text += "\r\u{1B}[2K" + Self.liveLine(repo, nameWidth: width) + "\n"
        }
        drawnLines = progress.repos.count
        ClientOutput.write(text)
    }

    /// `  demo/hello  [██████░░░░░░]  50% Receiving objects`, `✓ demo/hello  Cloned into ...`,
    /// `✗ demo/hello  <error>`.
    static func liveLine(_ repo: CloneProgress.Repo, nameWidth: Int) -> String {
        let name = Formatting.pad(repo.name, nameWidth)
        switch repo.stage {
        case "done":
            return "✓ \(name)  \(repo.message.isEmpty ? "cloned" : repo.message)"
        case "error":
            return "✗ \(name)  \(repo.message.isEmpty ? "clone failed" : repo.message)"
        default:
            let percent = repo.percent ?? 0
            let percentText = repo.percent.map { String($0) + "%" } ?? ""
            let label = repo.stage == "cloning" ? (repo.phase.isEmpty ? "cloning" : repo.phase) : repo.stage
            return "  \(name)  \(bar(percent))  \(Formatting.padLeft(percentText, 4)) \(label)"
        }
    }

    /// `[██████░░░░░░]` for 0...100.
    static func bar(_ percent: Int) -> String {
        let filled = min(barWidth, max(0, percent * barWidth / 100))
        return "[" + String(repeating: "█", count: filled) + String(repeating: "░", count: barWidth - filled) + "]"
    }

    /// `demo/hello: starting — Cloning repository...`, `✓ demo/hello: done — Cloned into ...`.
    static func plainLine(_ repo: CloneProgress.Repo) -> String {
        var detail = repo.message
        if repo.stage == "cloning" && detail.isEmpty {
            detail = repo.phase + (repo.percent.map { " \($0)%" } ?? "")
        }
        let mark = repo.stage == "done" ? "✓ " : repo.stage == "error" ? "✗ " : ""
        return "\(mark)\(repo.name): \(repo.stage)" + (detail.isEmpty ? "" : " — \(detail)")
    }
}
