/// A regular expression that matches in time linear in the input: the pattern is compiled once
/// to a Thompson NFA over UTF-8 bytes and run by `RegexPikeVM`, never by backtracking, so no
/// pattern and input can make a match slow (ReDoS). The syntax (docs/config.md, "Regular
/// expressions") is Python's `re` without what needs backtracking, which is refused by name.
///
/// An immutable value: compile it off the request path, share it with every event loop, match
/// from any thread without locks. A match allocates nothing while the program is small (its
/// scratch space is on the stack) and at most two blocks otherwise.
package struct LinearRegex: Sendable {
    /// What a pattern may cost, so that no config can make the sidecar spend unbounded memory.
    package enum Limits {
        /// The longest pattern, in UTF-8 bytes.
        package static let patternBytes = 4096
        /// The largest count in `{m,n}`.
        package static let repetitions = 1000
        /// The deepest nesting of groups.
        package static let nesting = 100
        /// The most instructions a compiled pattern may have (about 12 bytes each).
        package static let instructions = 10_000
        /// The most ranges the distinct non-ASCII classes of a pattern may hold together (8 bytes each).
        package static let classRanges = 20_000
    }

    /// The pattern as written.
    package let pattern: String
    let program: RegexProgram

    /// Compiles `pattern`, or says why it is refused (malformed, unsupported, or over a limit).
    package init(_ pattern: String) throws(RegexSyntaxError) {
        self.pattern = pattern
        program = try RegexCompiler.compile(try RegexParser.parse(pattern))
    }

    /// The byte offsets of the leftmost match in `input`, ending where Python's `re.search` would end it.
    package func firstMatch(in input: UnsafeRawBufferPointer) -> Range<Int>? {
        RegexPikeVM.run(program, on: input, mode: .first)
    }

    /// Whether a match occurs anywhere in `input` (`re.search(…) is not None`).
    package func containsMatch(in input: UnsafeRawBufferPointer) -> Bool {
        RegexPikeVM.run(program, on: input, mode: .any) != nil
    }

    /// Whether all of `input` matches (`re.fullmatch(…) is not None`).
    package func wholeMatch(_ input: UnsafeRawBufferPointer) -> Bool {
        RegexPikeVM.run(program, on: input, mode: .whole) != nil
    }

    /// `firstMatch(in:)` on a string's UTF-8 bytes.
    package func firstMatch(in text: String) -> Range<Int>? { Self.withBytes(of: text, firstMatch(in:)) }

    /// `containsMatch(in:)` on a string's UTF-8 bytes.
    package func containsMatch(in text: String) -> Bool { Self.withBytes(of: text, containsMatch(in:)) }

    /// `wholeMatch(_:)` on a string's UTF-8 bytes.
    package func wholeMatch(_ text: String) -> Bool { Self.withBytes(of: text, wholeMatch) }

    private static func withBytes<Result>(of text: String, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(text.utf8).withUnsafeBytes(body)
    }
}
