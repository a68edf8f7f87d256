/// A Swift `Regex` compiled once per config and shared by every event loop.
///
/// `Regex` is not declared `Sendable`, but a compiled value is immutable: its only mutable
/// state is the lowered program, which the standard library caches lazily with an atomic
/// load and compare-and-swap (`Regex.Program.loweredProgram`). `init` runs one match to lower
/// it before the value is published, so loops only ever read it. That is the invariant that
/// makes `@unchecked Sendable` safe here.
package struct CompiledRegex: @unchecked Sendable {
    /// The pattern as written in the config.
    package let source: String
    private let regex: Regex<AnyRegexOutput>

    /// Nil when `source` is not valid Swift Regex syntax.
    package init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex
        _ = try? regex.wholeMatch(in: "")
    }

    /// Whether the whole of `subject` matches (allocates inside the regex engine: prefer
    /// exact, prefix or glob matches on hot routes).
    package func wholeMatches(_ subject: String) -> Bool {
        (try? regex.wholeMatch(in: subject)) != nil
    }
}
