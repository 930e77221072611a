import Foundation

/// Connect for Python (PyPI `connectrpc`), the second independent Connect client the tests run:
/// found through `NETCLODE_PYTHON`, a Python whose virtualenv also holds `buf` and the code
/// generators (`.ci/run` sets it up from Tests/PythonClient/requirements.txt).
public enum ConnectForPython {
    /// `NETCLODE_PYTHON`, when it is an executable.
    public static let python: String? = {
        guard let python = ProcessInfo.processInfo.environment["NETCLODE_PYTHON"], !python.isEmpty,
              FileManager.default.isExecutableFile(atPath: python) else { return nil }
        return python
    }()
}
