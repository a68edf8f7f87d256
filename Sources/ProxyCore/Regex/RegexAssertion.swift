/// A zero-width condition on the position between two bytes of the input.
enum RegexAssertion: Hashable, Sendable {
    /// `\A`, and `^` without `(?m)`: the start of the input.
    case textStart
    /// `\z`: the end of the input.
    case textEnd
    /// `$` without `(?m)`: the end, or just before a `\n` that ends the input (as in Python and Perl).
    case textEndOrFinalNewline
    /// `^` with `(?m)`: the start, or just after a `\n`.
    case lineStart
    /// `$` with `(?m)`: the end, or just before a `\n`.
    case lineEnd
    /// `\b`: a word character (`\w`) on exactly one side.
    case wordBoundary
    /// `\B`: not `\b`.
    case notWordBoundary

    /// Whether the assertion holds at byte offset `position` of `input`.
    func holds(at position: Int, in input: UnsafeRawBufferPointer) -> Bool {
        let newline = UInt8(ascii: "\n")
        switch self {
        case .textStart: return position == 0
        case .textEnd: return position == input.count
        case .textEndOrFinalNewline:
            return position == input.count || (position == input.count - 1 && input[position] == newline)
        case .lineStart: return position == 0 || input[position - 1] == newline
        case .lineEnd: return position == input.count || input[position] == newline
        case .wordBoundary: return Self.isWordBoundary(at: position, in: input)
        case .notWordBoundary: return !Self.isWordBoundary(at: position, in: input)
        }
    }

    private static func isWordBoundary(at position: Int, in input: UnsafeRawBufferPointer) -> Bool {
        let before = UTF8Scalar.decode(endingAt: position, in: input).map { RegexUnicodeData.isWord($0.scalar) } ?? false
        let after = UTF8Scalar.decode(at: position, in: input).map { RegexUnicodeData.isWord($0.scalar) } ?? false
        return before != after
    }
}
