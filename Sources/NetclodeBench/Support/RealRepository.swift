import Foundation

/// The largest real git repository on the machine: by default the biggest bare repository of the
/// local Swift package mirror (`/opt/swift-packages/OWNER/NAME.git`, see /work/.library/env), so
/// the benchmark clones real source history rather than only generated files.
enum RealRepository {
    static let mirror = "/opt/swift-packages"

    /// `explicit` if given (it must be a git repository), else the largest repository of the mirror.
    static func locate(explicit: String?) throws -> URL {
        if let explicit {
            let url = URL(fileURLWithPath: explicit).standardizedFileURL
            guard isRepository(url) else { throw BenchError("--real-repo \(explicit): not a git repository") }
            return url
        }
        let fm = FileManager.default
        var best: (URL, Int)?
        for owner in (try? fm.contentsOfDirectory(atPath: mirror)) ?? [] {
            let ownerURL = URL(fileURLWithPath: mirror).appendingPathComponent(owner)
            for name in (try? fm.contentsOfDirectory(atPath: ownerURL.path)) ?? [] where name.hasSuffix(".git") {
                let url = ownerURL.appendingPathComponent(name)
                guard isRepository(url) else { continue }
                let size = directorySize(url)
                if size > best?.1 ?? -1 { best = (url, size) }
            }
        }
        guard let best else {
            throw BenchError("no git repository under \(mirror); pass one with --real-repo PATH")
        }
        return best.0
    }

    static func isRepository(_ url: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: url.appendingPathComponent("HEAD").path)
            || fm.fileExists(atPath: url.appendingPathComponent(".git").path)
    }

    static func directorySize(_ url: URL) -> Int {
        let fm = FileManager.default
        var total = 0
        guard let enumerator = fm.enumerator(atPath: url.path) else { return 0 }
        for case let path as String in enumerator {
            total += ((try? fm.attributesOfItem(atPath: url.appendingPathComponent(path).path))?[.size] as? Int) ?? 0
        }
        return total
    }
}
