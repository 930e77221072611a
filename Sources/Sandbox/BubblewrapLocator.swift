import Foundation

/// Finds the `bwrap` executable the way a shell would: the first `bwrap` on `PATH`.
enum BubblewrapLocator {
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    static func find(searchPath: String?) -> String? {
        let path = (searchPath?.isEmpty == false ? searchPath : nil) ?? defaultSearchPath
        for directory in path.split(separator: ":").map(String.init) where directory.hasPrefix("/") {
            let candidate = directory.hasSuffix("/") ? directory + "bwrap" : directory + "/bwrap"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }
}
