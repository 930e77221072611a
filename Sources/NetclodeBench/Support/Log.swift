import Foundation

/// Progress for the person running the benchmark, on stderr (stdout carries the table).
func benchLog(_ message: String) {
    FileHandle.standardError.write(Data("[bench] \(message)\n".utf8))
}

/// `1.23 s` or `456.7 ms`.
func fmt(_ seconds: Double) -> String { ResultTable.format(seconds, "s") }
