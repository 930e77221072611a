import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Finds the directories an executable's shared libraries load from, so the sandbox can bind
/// them read-only (a Swift binary needs e.g. `/opt/swift/usr/lib/swift/linux`, which the system
/// directories do not cover).
enum SharedLibraries {
    /// Directories of the libraries `ldd` lists for `executable`. Empty when `ldd` is missing or
    /// refuses (static binaries, scripts): the sandbox then simply gets no extra directories.
    static func directories(of executable: String) async -> [String] {
        guard let result = try? await Subprocess.run(
            .name("ldd"),
            arguments: Arguments([executable]),
            environment: .custom(["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C"]),
            output: .string(limit: 1 << 20),
            error: .discarded
        ), result.terminationStatus.isSuccess else {
            return []
        }
        return parse(lddOutput: result.standardOutput)
    }

    /// The distinct directories of the absolute library paths in `ldd` output, in order.
    ///
    /// Lines look like `libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)`,
    /// `/lib64/ld-linux-x86-64.so.2 (0x...)`, `linux-vdso.so.1 (0x...)` or `libx.so => not found`.
    static func parse(lddOutput: String) -> [String] {
        var directories: [String] = []
        for rawLine in lddOutput.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let candidate: Substring
            if let arrow = line.range(of: "=> ") {
                candidate = line[arrow.upperBound...]
            } else {
                candidate = Substring(line)
            }
            guard candidate.hasPrefix("/") else { continue }
            let path = candidate.split(separator: " ", maxSplits: 1).first.map(String.init) ?? String(candidate)
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !directories.contains(directory) {
                directories.append(directory)
            }
        }
        return directories
    }
}
