import Foundation

/// A temporary directory removed when the last process object using it goes away.
///
/// A control plane (or `netclode dev`) and the processes restarted on its data directory share
/// one; if a test throws before it calls `remove()`, the directory still goes with the objects
/// instead of piling up under the temporary directory of a CI machine.
final class OwnedDirectory: Sendable {
    let directory: TemporaryDirectory

    init(_ directory: TemporaryDirectory) {
        self.directory = directory
    }

    deinit {
        directory.remove()
    }
}
