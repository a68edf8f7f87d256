/// Why a pattern was refused, and where. `position` counts Unicode scalars from the start of the
/// pattern, from 0, as Python's `re` does; `description` names the position and, for a feature
/// Sluice leaves out, the feature.
package struct RegexSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of refusal this is.
    package enum Kind: Hashable, Sendable {
        /// The pattern is malformed: an unclosed group, a range out of order, an unknown escape.
        case malformed
        /// A feature the engine leaves out: those that need backtracking (backreferences,
        /// lookaround, atomic groups, possessive quantifiers) and a few ambiguous ones.
        case unsupported
        /// Over a size limit (`LinearRegex.Limits`).
        case tooLarge
    }

    package let kind: Kind
    /// What is wrong, with the position, e.g. `lookahead "(?=" at position 2 is not supported: …`.
    package let message: String
    /// Where, in Unicode scalars from 0.
    package let position: Int

    package var description: String { message }

    init(_ kind: Kind, _ message: String, at position: Int) {
        self.kind = kind
        self.message = message
        self.position = position
    }

    /// A malformed pattern: `"what" at position N` followed by `detail`.
    static func malformed(_ what: String, at position: Int, _ detail: String = "") -> RegexSyntaxError {
        RegexSyntaxError(.malformed, "\(what) at position \(position)" + (detail.isEmpty ? "" : ": \(detail)"), at: position)
    }

    /// A feature that needs backtracking, named with the token that asked for it.
    static func needsBacktracking(_ feature: String, _ token: String, at position: Int) -> RegexSyntaxError {
        RegexSyntaxError(.unsupported, "\(feature) \(ConfigIssue.quoted(token)) at position \(position) is not supported: "
                         + "it needs backtracking, and Sluice regexes match in linear time", at: position)
    }

    /// A feature left out for another reason, given in `why`.
    static func unsupported(_ feature: String, _ token: String, at position: Int, _ why: String) -> RegexSyntaxError {
        RegexSyntaxError(.unsupported, "\(feature) \(ConfigIssue.quoted(token)) at position \(position) is not supported: \(why)",
                         at: position)
    }
}
