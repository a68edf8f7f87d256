/// A `GuardConfig` compiled for the request path: its request rules and its response rules as
/// `GuardScanRule`s (one per matcher: a rule's keywords, its regexes, each of its detectors),
/// each knowing the config rule it belongs to. Built once per config snapshot, off the request
/// path; immutable, shared by every event loop.
package struct GuardPolicy: Sendable {
    /// One phase's scan rules and, for each, what it stands for.
    package struct PhaseRules: Sendable {
        package var scanRules: [GuardScanRule] = []
        package var sources: [GuardMatchSource] = []

        package var isEmpty: Bool { scanRules.isEmpty }
    }

    package let config: GuardConfig
    package let request: PhaseRules
    package let response: PhaseRules
    /// The rule that calls a moderation service about prompts (at most one), by index in `config.rules`.
    package let requestModerationRule: Int?
    /// The rule that calls a moderation service about answers (the same rule when its phase is `both`).
    package let responseModerationRule: Int?

    /// Compiles `config`, which the decoder has validated (keyword caps, regex syntax): a part
    /// that fails to compile anyway is a programming error.
    package init(_ config: GuardConfig) {
        self.config = config
        var request = PhaseRules()
        var response = PhaseRules()
        for (index, rule) in config.rules.enumerated() {
            for (matcher, kind) in Self.matchers(of: rule) {
                let replacement: [UInt8]? = if case .redact(let text) = rule.action { Array(text.utf8) } else { nil }
                let scanRule = GuardScanRule(matcher: matcher, replacement: replacement)
                let source = GuardMatchSource(rule: index, matcher: kind)
                if rule.phase.checksRequest {
                    request.scanRules.append(scanRule)
                    request.sources.append(source)
                }
                if rule.phase.checksResponse {
                    response.scanRules.append(scanRule)
                    response.sources.append(source)
                }
            }
        }
        self.request = request
        self.response = response
        requestModerationRule = config.rules.firstIndex { $0.moderation != nil && $0.phase.checksRequest }
        responseModerationRule = config.rules.firstIndex { $0.moderation != nil && $0.phase.checksResponse }
    }

    /// Whether answers go through the guard: response rules, or a moderation hook on answers.
    package var checksAnswers: Bool { !response.isEmpty || responseModerationRule != nil }

    private static func matchers(of rule: GuardRuleConfig) -> [(any GuardStreamingMatcher, String)] {
        var matchers: [(any GuardStreamingMatcher, String)] = []
        if !rule.keywords.isEmpty, let keywords = try? GuardKeywordMatcher(keywords: rule.keywords) {
            matchers.append((keywords, "keyword"))
        }
        let regexes = rule.regexes.compactMap { try? LinearRegex($0) }
        if !regexes.isEmpty { matchers.append((GuardRegexMatcher(regexes), "regex")) }
        for detector in rule.detectors { matchers.append((GuardDetectorMatcher(detector), detector.rawValue)) }
        return matchers
    }
}

/// What a scan rule of a `GuardPolicy` stands for: its config rule, and which of the rule's
/// matchers it is (`keyword`, `regex`, or a detector's name), for the audit log.
package struct GuardMatchSource: Hashable, Sendable {
    package var rule: Int
    package var matcher: String
}

/// One decision of a guard: a rule matched and its action applied.
package struct GuardFinding: Hashable, Sendable {
    /// The rule's index in `GuardConfig.rules`.
    package var rule: Int
    /// `keyword`, `regex`, or the detector's name.
    package var matcher: String
    /// How many bytes matched (the text itself is never kept).
    package var matchedBytes: Int

    package init(rule: Int, matcher: String, matchedBytes: Int) {
        self.rule = rule
        self.matcher = matcher
        self.matchedBytes = matchedBytes
    }
}

extension GuardPolicy {
    /// The findings of `matches` in phase `rules`, and the first block rule among them (in rule order).
    package func verdict(of matches: [GuardMatch], in rules: PhaseRules) -> (findings: [GuardFinding], block: Int?) {
        var findings: [GuardFinding] = []
        var block: Int?
        for match in matches {
            let source = rules.sources[match.rule]
            findings.append(GuardFinding(rule: source.rule, matcher: source.matcher, matchedBytes: match.range.count))
            if case .block = config.rules[source.rule].action, source.rule < (block ?? .max) { block = source.rule }
        }
        return (findings, block)
    }
}
