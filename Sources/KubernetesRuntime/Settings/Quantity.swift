/// Kubernetes' quantity syntax (`250m`, `2`, `512Mi`, `10Gi`, `1e3`), checked before it reaches
/// the API server, so a typo in a setting stops the control plane at start with the setting's
/// name instead of failing every session's Pod with a 422.
enum Quantity {
    private static let suffixes: Set<String> = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    static func isValid(_ text: String) -> Bool {
        var number = Substring(text)
        if number.first == "+" || number.first == "-" { number = number.dropFirst() }
        let digits = number.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !digits.isEmpty, digits.filter({ $0 == "." }).count <= 1, digits != "." else { return false }
        let suffix = number.dropFirst(digits.count)
        if suffixes.contains(String(suffix)) { return true }
        // Decimal exponent: e or E followed by an optionally signed integer.
        guard let first = suffix.first, first == "e" || first == "E" else { return false }
        var exponent = suffix.dropFirst()
        if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
        return !exponent.isEmpty && exponent.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
