/// `[…]` and `[^…]`: scalars, ranges and class escapes. A `]` first is literal, as a `-` first
/// or last; nested classes, POSIX classes and set operations are refused rather than guessed at.
extension RegexParser {
    /// After the `[` at `start`.
    mutating func parseClass(openedAt start: Int) throws(RegexSyntaxError) -> RegexNode {
        let negated = peekIs("^")
        if negated { position += 1 }
        var scalars: [ClosedRange<UInt32>] = []
        var escapes = RegexScalarSet(ranges: [])
        var first = true
        while true {
            guard let next = peek() else { throw .malformed("missing \"]\" for the class opened", at: start) }
            if next == "]" && !first { break }
            first = false
            let itemStart = position
            if next == "[" {
                throw .unsupported("a nested class", "[", at: itemStart,
                                   "escape it as \\[ to mean the character; nested classes and POSIX classes such as "
                                   + "[:alpha:] are not available (use \\p{…})")
            }
            if let operation = ["&&", "||", "--", "~~"].first(where: { peekIs($0.unicodeScalars.first!) && peekIs($0.unicodeScalars.first!, 1) }) {
                throw .unsupported("the set operation", operation, at: itemStart,
                                   "escape it as \\\(operation.prefix(1)) to mean the character")
            }
            switch try classItem() {
            case .set(let set):
                if peekIs("-"), let after = peek(1), after != "]" {
                    throw .malformed("bad character range \(ConfigIssue.quoted(text(from: itemStart, through: position)))", at: itemStart)
                }
                escapes = escapes.union(set)
            case .scalar(let low):
                guard peekIs("-"), let after = peek(1), after != "]" else {
                    scalars.append(low...low)
                    continue
                }
                position += 1
                guard case .scalar(let high) = try classItem(), low <= high else {
                    throw .malformed("bad character range \(ConfigIssue.quoted(text(from: itemStart, through: position - 1)))", at: itemStart)
                }
                scalars.append(low...high)
            case .assertion:
                preconditionFailure("classItem never yields an assertion")
            }
        }
        position += 1
        var set = RegexScalarSet(ranges: scalars)
        if flags.caseInsensitive { set = set.caseFolded() }
        set = set.union(escapes)
        return .set(negated ? set.inverted() : set)
    }

    /// One scalar or class escape.
    private mutating func classItem() throws(RegexSyntaxError) -> Escape {
        let start = position
        let scalar = scalars[position]
        position += 1
        return scalar == "\\" ? try parseEscapeSequence(at: start, inClass: true) : .scalar(scalar.value)
    }
}
