/// Backslash escapes, in and out of classes.
extension RegexParser {
    /// What an escape stands for.
    enum Escape {
        case scalar(UInt32)
        case set(RegexScalarSet)
        case assertion(RegexAssertion)
    }

    /// After the `\` at `start`, outside a class. Class escapes (`\d`, `\p{L}`…) keep their
    /// meaning under `(?i)`, as in Python.
    mutating func parseEscape(at start: Int) throws(RegexSyntaxError) -> RegexNode {
        switch try parseEscapeSequence(at: start, inClass: false) {
        case .scalar(let scalar): return literal(scalar)
        case .set(let set): return .set(set)
        case .assertion(let assertion): return .assertion(assertion)
        }
    }

    /// After the `\` at `start`.
    mutating func parseEscapeSequence(at start: Int, inClass: Bool) throws(RegexSyntaxError) -> Escape {
        guard let scalar = peek() else { throw .malformed("\"\\\" at the end of the pattern", at: start) }
        position += 1
        switch scalar {
        case "d": return .set(RegexUnicodeData.digit)
        case "D": return .set(RegexUnicodeData.digit.inverted())
        case "w": return .set(RegexUnicodeData.word)
        case "W": return .set(RegexUnicodeData.word.inverted())
        case "s": return .set(RegexUnicodeData.space)
        case "S": return .set(RegexUnicodeData.space.inverted())
        case "p", "P":
            let set = try parseProperty(at: start)
            return .set(scalar == "P" ? set.inverted() : set)
        case "n": return .scalar(0x0A)
        case "t": return .scalar(0x09)
        case "r": return .scalar(0x0D)
        case "f": return .scalar(0x0C)
        case "v": return .scalar(0x0B)
        case "a": return .scalar(0x07)
        case "b" where inClass: return .scalar(0x08)
        case "0":
            if let next = peek(), (0x30...0x37).contains(next.value) {
                let end = peek(1).map { (0x30...0x37).contains($0.value) } == true ? position + 1 : position
                throw .unsupported("the octal escape", text(from: start, through: end), at: start, "write \"\\x…\" instead")
            }
            return .scalar(0)
        case "x" where peekIs("{"): return .scalar(try parseBracedHex(at: start))
        case "x": return .scalar(try parseHex(digits: 2, at: start))
        case "u": return .scalar(try parseHex(digits: 4, at: start))
        case "U": return .scalar(try parseHex(digits: 8, at: start))
        case "1"..."9":
            if inClass {
                throw .unsupported("the octal escape", text(from: start, through: position - 1), at: start, "write \"\\x…\" instead")
            }
            return try refuseBackreference(at: start)
        case "k", "g": return try refuseBackreference(at: start)
        case "b", "B", "A", "z", "Z":
            if inClass { throw .malformed("bad escape \(ConfigIssue.quoted(text(from: start, through: start + 1))) inside a class", at: start) }
            switch scalar {
            case "b": return .assertion(.wordBoundary)
            case "B": return .assertion(.notWordBoundary)
            case "A": return .assertion(.textStart)
            case "z": return .assertion(.textEnd)
            default:
                throw .unsupported("the anchor", "\\Z", at: start,
                                   "regex flavours disagree on it; write \"\\z\" for the end of the text or \"$\" for the end or a final newline")
            }
        case "N" where peekIs("{"):
            throw .unsupported("a character name", "\\N{", at: start, "write the character itself or \"\\x{…}\"")
        case "0"..."9", "a"..."z", "A"..."Z":
            throw .malformed("unknown escape \(ConfigIssue.quoted(text(from: start, through: start + 1)))", at: start)
        default:
            return .scalar(scalar.value)
        }
    }

    private mutating func refuseBackreference(at start: Int) throws(RegexSyntaxError) -> Escape {
        while let next = peek(), (0x30...0x39).contains(next.value) { position += 1 }
        if let open = peek(), open == "<" || open == "{" {
            let close: Unicode.Scalar = open == "<" ? ">" : "}"
            while let next = peek(), next != close { position += 1 }
            if peekIs(close) { position += 1 }
        }
        throw .needsBacktracking("a backreference", text(from: start, through: position - 1), at: start)
    }

    /// `{Name}` or a single letter after `\p`/`\P`.
    private mutating func parseProperty(at start: Int) throws(RegexSyntaxError) -> RegexScalarSet {
        let name: String
        if peekIs("{") {
            let nameStart = position + 1
            guard let close = scalars[nameStart...].firstIndex(of: "}") else {
                throw .malformed("missing \"}\" after \(ConfigIssue.quoted(text(from: start, through: start + 2)))", at: start)
            }
            name = text(from: nameStart, through: close - 1)
            position = close + 1
        } else if let letter = peek() {
            name = String(letter)
            position += 1
        } else {
            throw .malformed("missing property name after \(ConfigIssue.quoted(text(from: start, through: start + 1)))", at: start)
        }
        guard let set = RegexUnicodeData.property(named: name) else {
            throw .unsupported("the Unicode property", text(from: start, through: position - 1), at: start,
                               "the properties are the general categories (L, Lu, Ll, Lt, Lm, Lo, M, N, Nd, Nl, No, P, S, Z, C "
                               + "and their two-letter forms, or long names such as Letter) and the script Han")
        }
        return set
    }

    /// `{h…}` after `\x`: 1 to 6 hexadecimal digits.
    private mutating func parseBracedHex(at start: Int) throws(RegexSyntaxError) -> UInt32 {
        position += 1
        let digitsStart = position
        while let next = peek(), next != "}" { position += 1 }
        let digits = Array(scalars[digitsStart..<position])
        guard peekIs("}"), !digits.isEmpty, digits.count <= 6 else {
            throw .malformed("bad escape \(ConfigIssue.quoted(text(from: start, through: position))); expected \"\\x{\" and 1 to 6 hexadecimal digits", at: start)
        }
        position += 1
        return try scalarValue(of: digits, at: start)
    }

    /// Exactly `digits` hexadecimal digits.
    private mutating func parseHex(digits count: Int, at start: Int) throws(RegexSyntaxError) -> UInt32 {
        let end = Swift.min(position + count, scalars.count)
        let digits = Array(scalars[position..<end])
        position = end
        guard digits.count == count else {
            throw .malformed("incomplete escape \(ConfigIssue.quoted(text(from: start, through: end - 1)))", at: start)
        }
        return try scalarValue(of: digits, at: start)
    }

    private func scalarValue(of digits: [Unicode.Scalar], at start: Int) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for digit in digits {
            guard digit.isASCII, let nibble = JSONLexer.hexValue(UInt8(digit.value)) else {
                throw .malformed("bad escape \(ConfigIssue.quoted(text(from: start, through: position - 1)))", at: start)
            }
            value = value << 4 | UInt32(nibble)
            guard value <= RegexScalarSet.maxScalar else {
                throw .malformed("\(ConfigIssue.quoted(text(from: start, through: position - 1))) is past U+10FFFF", at: start)
            }
        }
        guard !(0xD800...0xDFFF).contains(value) else {
            throw .malformed("\(ConfigIssue.quoted(text(from: start, through: position - 1))) is a surrogate, not a Unicode scalar",
                             at: start)
        }
        return value
    }
}
