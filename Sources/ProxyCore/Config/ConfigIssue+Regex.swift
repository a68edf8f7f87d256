extension ConfigIssue {
    /// Why `pattern` cannot be a regex condition, as validation reports it (the proxy config's and
    /// the CRDs' alike): `"gpt-(4" is not a valid regular expression: missing ")" …`; nil when it compiles.
    package static func regexProblem(_ pattern: String) -> String? {
        do {
            _ = try LinearRegex(pattern)
            return nil
        } catch {
            return "\(quoted(pattern)) is not a valid regular expression: \(error)"
        }
    }
}
