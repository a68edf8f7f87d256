/// `(…)`, `(?:…)`, `(?P<name>…)`, `(?<name>…)`, inline flags, and the group syntaxes that are refused.
extension RegexParser {
    /// After the `(` at `start`.
    mutating func parseGroup(openedAt start: Int) throws(RegexSyntaxError) -> RegexNode {
        guard depth < LinearRegex.Limits.nesting else {
            throw RegexSyntaxError(.tooLarge, "groups nested deeper than \(LinearRegex.Limits.nesting) at position \(start)", at: start)
        }
        let outer = flags
        if peekIs("?") {
            position += 1
            guard let kind = peek() else { throw .malformed("unexpected end of pattern", at: position) }
            switch kind {
            case ":":
                position += 1
            case "P" where peekIs("<", 1):
                position += 2
                try parseGroupName(groupAt: start)
            case "<" where !peekIs("=", 1) && !peekIs("!", 1):
                position += 1
                try parseGroupName(groupAt: start)
            case "#":
                throw .malformed("missing \")\", unterminated comment", at: start)
            default:
                if let refusal = refusedGroup(kind, at: start) { throw refusal }
                if try parseFlags(groupAt: start) == .untilGroupEnd { return .empty }
            }
        }
        depth += 1
        let inner = try parseAlternation()
        depth -= 1
        flags = outer
        guard peekIs(")") else { throw .malformed("missing \")\" for the group opened", at: start) }
        position += 1
        return inner
    }

    /// Lookaround, atomic groups, conditionals, recursion and backreferences by name, by the
    /// scalar after `(?`.
    private func refusedGroup(_ kind: Unicode.Scalar, at start: Int) -> RegexSyntaxError? {
        let token = { (length: Int) in text(from: start, through: start + length - 1) }
        switch kind {
        case "=": return .needsBacktracking("lookahead", token(3), at: start)
        case "!": return .needsBacktracking("negative lookahead", token(3), at: start)
        case "<" where peekIs("=", 1): return .needsBacktracking("lookbehind", token(4), at: start)
        case "<": return .needsBacktracking("negative lookbehind", token(4), at: start)
        case ">": return .needsBacktracking("an atomic group", token(3), at: start)
        case "(": return .needsBacktracking("a conditional group", token(3), at: start)
        case "P" where peekIs("=", 1): return .needsBacktracking("a backreference", token(4), at: start)
        case "P" where peekIs(">", 1): return .needsBacktracking("a recursive pattern", token(4), at: start)
        case "R", "&", "+", "0"..."9": return .needsBacktracking("a recursive pattern", token(3), at: start)
        case "|": return .unsupported("a branch reset group", token(3), at: start, "write a non-capturing group \"(?:…)\"")
        default: return nil
        }
    }

    /// `name>` after `(?P<` or `(?<`: a letter or `_`, then letters, digits, `_`; each name once.
    private mutating func parseGroupName(groupAt start: Int) throws(RegexSyntaxError) {
        let nameStart = position
        while let scalar = peek(), scalar != ">" { position += 1 }
        guard peekIs(">") else { throw .malformed("missing \">\" after the group name", at: nameStart) }
        let name = text(from: nameStart, through: position - 1)
        let valid = name.unicodeScalars.first.map { !(0x30...0x39).contains($0.value) } ?? false
            && name.unicodeScalars.allSatisfy { RegexUnicodeData.isWord($0.value) }
        guard valid else { throw .malformed("bad character in group name \(ConfigIssue.quoted(name))", at: nameStart) }
        guard groupNames.insert(name).inserted else {
            throw .malformed("redefinition of group name \(ConfigIssue.quoted(name))", at: nameStart)
        }
        position += 1
    }

    /// How far flags set by `(?…)` reach.
    private enum FlagScope {
        /// `(?i)`: to the end of the enclosing group (or pattern).
        case untilGroupEnd
        /// `(?i:…)`: the group's contents, which the caller parses next.
        case groupContents
    }

    /// `(?flags)`, `(?flags:`, `(?flags-flags:`, `(?-flags:` with flags from `i`, `m`, `s`; sets them.
    private mutating func parseFlags(groupAt start: Int) throws(RegexSyntaxError) -> FlagScope {
        var on = Flags(), off = Flags()
        var turningOff = false
        var named = false
        while let scalar = peek() {
            switch scalar {
            case "-" where !turningOff:
                turningOff = true
            case "i", "m", "s":
                named = true
                let path: WritableKeyPath<Flags, Bool> = scalar == "i" ? \.caseInsensitive : scalar == "m" ? \.multiline : \.dotAll
                if turningOff { off[keyPath: path] = true } else { on[keyPath: path] = true }
                if on[keyPath: path] && off[keyPath: path] {
                    throw .malformed("bad inline flags: flag turned on and off", at: position)
                }
            case ":", ")":
                let scoped = scalar == ":"
                guard named else { throw .malformed("missing flag in \(ConfigIssue.quoted(text(from: start, through: position)))", at: start) }
                position += 1
                if on.caseInsensitive { flags.caseInsensitive = true }
                if on.multiline { flags.multiline = true }
                if on.dotAll { flags.dotAll = true }
                if off.caseInsensitive { flags.caseInsensitive = false }
                if off.multiline { flags.multiline = false }
                if off.dotAll { flags.dotAll = false }
                return scoped ? .groupContents : .untilGroupEnd
            case "a"..."z", "A"..."Z":
                throw .unsupported("the flag", String(scalar), at: position,
                                   "the flags are i (case-insensitive), m (multi-line) and s (dot matches newline)")
            default:
                throw .malformed("unknown group syntax \(ConfigIssue.quoted(text(from: start, through: position)))", at: start)
            }
            position += 1
        }
        throw .malformed("missing \")\" for the group opened", at: start)
    }
}
