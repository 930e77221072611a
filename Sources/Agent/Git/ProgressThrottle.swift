/// Decides which progress updates of one repository are worth an event: at most one per
/// `interval` (4 per second by default), but a new phase and 100% always pass; an update equal to
/// the last one passed never does.
public struct ProgressThrottle: Sendable {
    public var interval: Duration
    private var last: CloneProgress?
    private var lastTime: ContinuousClock.Instant?

    public init(interval: Duration = .milliseconds(250)) {
        self.interval = interval
    }

    /// Whether `progress`, seen at `now`, should be emitted; records it when it should.
    public mutating func admit(_ progress: CloneProgress, at now: ContinuousClock.Instant = .now) -> Bool {
        let admitted: Bool
        if let last, let lastTime {
            let samePhase = last.phase == progress.phase && last.isRemote == progress.isRemote
            if samePhase && last.percent == progress.percent {
                admitted = false
            } else if !samePhase || progress.percent == 100 {
                admitted = true
            } else {
                admitted = now - lastTime >= interval
            }
        } else {
            admitted = true
        }
        if admitted {
            last = progress
            lastTime = now
        }
        return admitted
    }
}
