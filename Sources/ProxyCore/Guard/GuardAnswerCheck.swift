extension GuardPolicy {
    /// Runs the response rules over a whole (non-streamed) answer: each OpenAI choice's
    /// `message.content` and `message.reasoning_content`, or each Anthropic text block's `text`
    /// and thinking block's `thinking`, on its own. A redaction re-encodes only the changed
    /// strings; a block replaces the text with the rule's message and the finish reason with
    /// `content_filter` (OpenAI, that choice) or the stop reason with `refusal` (Anthropic,
    /// whose blocks are one answer: every block is withheld). Nil when nothing changes. Pure.
    package func checkAnswer(_ body: [UInt8]) -> (body: [UInt8]?, findings: [GuardFinding], block: Int?) {
        guard !response.isEmpty, let fields = body.withUnsafeBytes(GuardChoiceFields.read) else { return (nil, [], nil) }
        var redactions: [(range: Range<Int>, bytes: [UInt8])] = []
        var blocked: [Int: Int] = [:]
        var findings: [GuardFinding] = []
        for (position, choice) in fields.choices.enumerated() {
            for field in [choice.reasoning, choice.content] {
                guard let field, let decoded = GuardMessageExtractor.decode(body, field) else { continue }
                let step = GuardStreamScanner.scan(decoded, rules: response.scanRules)
                guard !step.matches.isEmpty else { continue }
                let verdict = verdict(of: step.matches, in: response)
                findings += verdict.findings
                if let rule = verdict.block { blocked[position] = min(blocked[position] ?? rule, rule) }
                if step.output != decoded {
                    var token: [UInt8] = []
                    step.output.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &token) }
                    redactions.append((field, token))
                }
            }
        }
        guard let first = blocked.values.min() else {
            return (redactions.isEmpty ? nil : Self.replacing(redactions, in: body), findings, nil)
        }
        let withheld = fields.isAnthropicMessage ? Set(fields.choices.indices) : Set(blocked.keys)
        var replacements = redactions.filter { redaction in
            !withheld.contains { fields.choices[$0].content == redaction.range || fields.choices[$0].reasoning == redaction.range }
        }
        replacements += withholding(withheld, of: fields, rules: blocked, first: first)
        return (Self.replacing(replacements, in: body), findings, first)
    }

    /// A whole answer withheld by block rule `rule` (the moderation hook flagged it): every
    /// choice (Anthropic: every block) says the rule's message, as in `checkAnswer`. Nil when
    /// the answer is not one the guard reads. Pure.
    package func blockedAnswer(_ body: [UInt8], rule: Int) -> [UInt8]? {
        guard let fields = body.withUnsafeBytes(GuardChoiceFields.read), !fields.choices.isEmpty else { return nil }
        let all = Set(fields.choices.indices)
        return Self.replacing(withholding(all, of: fields, rules: Dictionary(uniqueKeysWithValues: all.map { ($0, rule) }), first: rule),
                              in: body)
    }

    /// The replacements that withhold `choices`: the message of the choice's block rule in its
    /// content (Anthropic: in the first text block only, the others emptied), its reasoning
    /// emptied, `content_filter` as its finish reason, and `refusal` as Anthropic's stop reason.
    private func withholding(_ choices: Set<Int>, of fields: GuardChoiceFields, rules: [Int: Int],
                             first: Int) -> [(range: Range<Int>, bytes: [UInt8])] {
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var messageWritten = false
        for position in choices.sorted() {
            let choice = fields.choices[position]
            if let content = choice.content {
                var token = Array(#""""#.utf8)
                if !(fields.isAnthropicMessage && messageWritten), case .block(let message) = config.rules[rules[position] ?? first].action {
                    token = []
                    JSONWriter.appendString(message, to: &token)
                    messageWritten = true
                }
                replacements.append((content, token))
            }
            if let reasoning = choice.reasoning { replacements.append((reasoning, Array(#""""#.utf8))) }
            if let finish = choice.finishReason { replacements.append((finish, Array(#""content_filter""#.utf8))) }
        }
        if let stop = fields.stopReason { replacements.append((stop, Array(#""refusal""#.utf8))) }
        return replacements
    }

    private static func replacing(_ replacements: [(range: Range<Int>, bytes: [UInt8])], in body: [UInt8]) -> [UInt8] {
        var rewritten = body
        for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            rewritten.replaceSubrange(replacement.range, with: replacement.bytes)
        }
        return rewritten
    }
}
