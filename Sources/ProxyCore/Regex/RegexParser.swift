/// Parses a pattern into a `RegexNode`: the syntax of docs/config.md ("Regular expressions"),
/// a subset of Python's `re` (plus `\p{…}`, `\x{…}` and `\z`) with everything that needs
/// backtracking refused by name. Positions count Unicode scalars from 0.
struct RegexParser {
    /// The inline flags in effect (`(?i)`, `(?m)`, `(?s)`).
    struct Flags: Hashable {
        var caseInsensitive = false
        var multiline = false
        var dotAll = false
    }

    let scalars: [Unicode.Scalar]
    var position = 0
    var flags = Flags()
    var depth = 0
    var groupNames: Set<String> = []

    /// The pattern's tree, or why it is refused.
    static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
        let bytes = pattern.utf8.count
        guard bytes <= LinearRegex.Limits.patternBytes else {
            throw RegexSyntaxError(.tooLarge, "the pattern is \(bytes) bytes long; the maximum is \(LinearRegex.Limits.patternBytes)",
                                   at: 0)
        }
        var parser = RegexParser(scalars: Array(pattern.unicodeScalars))
        let node = try parser.parseAlternation()
        if parser.position < parser.scalars.count {
            throw .malformed("unbalanced parenthesis \")\"", at: parser.position)
        }
        return node
    }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    func peekIs(_ character: Unicode.Scalar, _ offset: Int = 0) -> Bool { peek(offset) == character }

    /// The pattern's scalars `first...last`, clipped to the pattern, for messages.
    func text(from first: Int, through last: Int) -> String {
        let end = Swift.min(last + 1, scalars.count)
        return first < end ? String(String.UnicodeScalarView(scalars[first..<end])) : ""
    }

    /// Branches separated by `|`, up to a `)` or the end. Inline flags set in a group last to its end.
    mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        let outer = flags
        defer { flags = outer }
        var branches = [try parseConcat()]
        while peekIs("|") {
            position += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcat() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while true {
            skipComments()
            guard let next = peek(), next != "|", next != ")" else { break }
            let start = position
            let atom = try parseAtom()
            items.append(try parseQuantifiers(of: atom, startingAt: start))
        }
        return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concat(items)
    }

    private mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode {
        let start = position
        let scalar = scalars[position]
        position += 1
        switch scalar {
        case "(": return try parseGroup(openedAt: start)
        case "[": return try parseClass(openedAt: start)
        case ".": return .set(flags.dotAll ? .all : RegexScalarSet(scalar: 0x0A).inverted())
        case "^": return .assertion(flags.multiline ? .lineStart : .textStart)
        case "$": return .assertion(flags.multiline ? .lineEnd : .textEndOrFinalNewline)
        case "\\": return try parseEscape(at: start)
        case "*", "+", "?": throw .malformed("nothing to repeat", at: start)
        case "{":
            position = start
            if try quantifierBounds() != nil { throw .malformed("nothing to repeat", at: start) }
            position = start + 1
            return literal(scalar.value)
        default: return literal(scalar.value)
        }
    }

    /// One scalar, as a set of its cases under `(?i)`.
    func literal(_ scalar: UInt32) -> RegexNode {
        if flags.caseInsensitive {
            let cases = RegexUnicodeData.caseClass(of: scalar)
            if !cases.isEmpty { return .set(RegexScalarSet(ranges: cases.map { $0...$0 })) }
        }
        return .literal(Array(Unicode.Scalar(scalar)!.utf8))
    }

    /// `(?#…)` comments, which Python's `re` allows anywhere, even between an atom and its quantifier.
    mutating func skipComments() {
        while peekIs("("), peekIs("?", 1), peekIs("#", 2) {
            var end = position + 3
            while end < scalars.count, scalars[end] != ")" { end += 1 }
            guard end < scalars.count else { return }
            position = end + 1
        }
    }
}
