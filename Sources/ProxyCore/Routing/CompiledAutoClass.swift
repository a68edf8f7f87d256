/// One class rule of an `auto` model, compiled: keywords and regexes as `LinearRegex`.
struct CompiledAutoClass: Sendable {
    enum Condition: Sendable {
        /// Searched in the last user message (keywords become a case-insensitive alternation).
        case text(LinearRegex)
        case header(CompiledHeaderMatcher)
    }

    let name: String
    let condition: Condition
    let requireTags: [String]
    let minTier: Int?

    /// Nil when a regex does not compile (only for configs that skipped validation).
    init?(_ config: AutoClassConfig) {
        name = config.name
        requireTags = config.requireTags
        minTier = config.minTier
        switch config.condition {
        case .keywords(let words):
            guard let regex = try? LinearRegex(Self.pattern(keywords: words)) else { return nil }
            condition = .text(regex)
        case .regex(let pattern):
            guard let regex = try? LinearRegex(pattern) else { return nil }
            condition = .text(regex)
        case .header(let match):
            guard let matcher = CompiledHeaderMatcher(match) else { return nil }
            condition = .header(matcher)
        }
    }

    /// Whether the class applies to a request.
    func applies(lastUserMessage: String, headers: HTTPHeaders) -> Bool {
        switch condition {
        case .text(let regex): regex.containsMatch(in: lastUserMessage)
        case .header(let matcher): matcher.matches(headers)
        }
    }

    /// Whether a model satisfies the class's requirements.
    func admits(_ info: ModelInfoConfig) -> Bool {
        if let minTier, info.tier < minTier { return false }
        return requireTags.allSatisfy(info.tags.contains)
    }

    /// `(?i)(?:word|two words)`, every ASCII punctuation character escaped.
    static func pattern(keywords: [String]) -> String {
        var pattern = "(?i)(?:"
        for (index, word) in keywords.enumerated() {
            if index > 0 { pattern += "|" }
            for scalar in word.unicodeScalars {
                if scalar.isASCII, !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == " ") {
                    pattern += "\\"
                }
                pattern.unicodeScalars.append(scalar)
            }
        }
        return pattern + ")"
    }
}
