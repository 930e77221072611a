/// The branch a run on an issue works on: `netclode/<number>-<slug of the title>`.
enum BranchName {
    static let prefix = "netclode/"

    static func forIssue(_ number: Int, title: String) -> String {
        var slug = ""
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
            if slug.count >= 40 { break }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return "\(prefix)\(number)-\(slug.isEmpty ? "work" : slug)"
    }
}
