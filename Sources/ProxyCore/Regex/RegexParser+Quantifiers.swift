/// `*`, `+`, `?`, `{m}`, `{m,}`, `{,n}`, `{m,n}`, each optionally lazy (`?`).
extension RegexParser {
    mutating func parseQuantifiers(of atom: RegexNode, startingAt atomStart: Int) throws(RegexSyntaxError) -> RegexNode {
        skipComments()
        let start = position
        guard let (min, max) = try quantifier() else { return atom }
        // A bare anchor cannot be repeated (as in Python); a group holding one can.
        if case .assertion = atom, scalars[atomStart] != "(" { throw .malformed("nothing to repeat", at: start) }
        var greedy = true
        if peekIs("?") {
            greedy = false
            position += 1
        } else if peekIs("+") {
            throw .needsBacktracking("a possessive quantifier", text(from: start, through: position), at: start)
        }
        let afterQuantifier = position
        if try quantifier() != nil { throw .malformed("multiple repeat", at: afterQuantifier) }
        return .repetition(atom, min: min, max: max, greedy: greedy)
    }

    /// The bounds of the quantifier at `position`, consumed; nil (nothing consumed) when there is
    /// none, as for a `{` that does not start `{m}`, `{m,}`, `{,n}` or `{m,n}` (a literal, as in Python).
    private mutating func quantifier() throws(RegexSyntaxError) -> (Int, Int?)? {
        switch peek() {
        case "*": position += 1; return (0, nil)
        case "+": position += 1; return (1, nil)
        case "?": position += 1; return (0, 1)
        case "{": return try quantifierBounds()
        default: return nil
        }
    }

    /// `{m}`, `{m,}`, `{,n}`, `{m,n}` (also `{,}`) at `position`, consumed; nil (nothing consumed) otherwise.
    mutating func quantifierBounds() throws(RegexSyntaxError) -> (Int, Int?)? {
        let start = position
        position += 1
        let low = digits()
        var high = low
        var comma = false
        if peekIs(",") {
            comma = true
            position += 1
            high = digits()
        }
        guard peekIs("}"), low != nil || comma else {
            position = start
            return nil
        }
        position += 1
        for bound in [low, high] {
            if let bound, bound.value > LinearRegex.Limits.repetitions {
                throw RegexSyntaxError(.tooLarge, "repetition count \(bound.text) at position \(bound.position) is greater than "
                                       + "the maximum \(LinearRegex.Limits.repetitions)", at: bound.position)
            }
        }
        let min = low?.value ?? 0
        if let max = high?.value, min > max { throw .malformed("min repeat greater than max repeat", at: start + 1) }
        return (min, high?.value)
    }

    /// A run of ASCII digits, where it starts, and as written; values past the limit saturate.
    private mutating func digits() -> (value: Int, position: Int, text: String)? {
        let start = position
        var value = 0
        while let scalar = peek(), scalar.value >= 0x30, scalar.value <= 0x39 {
            value = Swift.min(value * 10 + Int(scalar.value - 0x30), LinearRegex.Limits.repetitions + 1)
            position += 1
        }
        return position > start ? (value, start, text(from: start, through: position - 1)) : nil
    }
}
