extension GuardPolicy {
    /// Runs the response rules over a whole (non-streamed) answer: each OpenAI choice's
    /// `message.content` and `message.reasoning_content`, or each Anthropic text block, on its own. A redaction re-encodes only
    /// the changed strings; a block replaces the text with the rule's message and the finish
    /// reason with `content_filter` (OpenAI) or the stop reason with `refusal` (Anthropic). Nil
    /// when nothing changes. Pure.
    package func checkAnswer(_ body: [UInt8]) -> (body: [UInt8]?, findings: [GuardFinding], block: Int?) {
        guard !response.isEmpty, let fields = body.withUnsafeBytes(GuardChoiceFields.read) else { return (nil, [], nil) }
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var findings: [GuardFinding] = []
        var firstBlock: Int?
        for choice in fields.choices {
            var redactions: [(range: Range<Int>, bytes: [UInt8])] = []
            var blockRule: Int?
            for field in [choice.reasoning, choice.content] {
                guard let field, let decoded = GuardMessageExtractor.decode(body, field) else { continue }
                let step = GuardStreamScanner.scan(decoded, rules: response.scanRules)
                guard !step.matches.isEmpty else { continue }
                let verdict = verdict(of: step.matches, in: response)
                findings += verdict.findings
                if let rule = verdict.block { blockRule = min(blockRule ?? rule, rule) }
                if step.output != decoded {
                    var token: [UInt8] = []
                    step.output.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &token) }
                    redactions.append((field, token))
                }
            }
            guard let rule = blockRule, case .block(let message) = config.rules[rule].action else {
                replacements += redactions
                continue
            }
            // A block withholds the choice's reasoning too, and says why in its content.
            firstBlock = min(firstBlock ?? rule, rule)
            var token: [UInt8] = []
            JSONWriter.appendString(message, to: &token)
            if let content = choice.content { replacements.append((content, token)) }
            if let reasoning = choice.reasoning { replacements.append((reasoning, Array(#""""#.utf8))) }
            if let finish = choice.finishReason { replacements.append((finish, Array(#""content_filter""#.utf8))) }
        }
        if firstBlock != nil, let stop = fields.stopReason { replacements.append((stop, Array(#""refusal""#.utf8))) }
        guard !replacements.isEmpty else { return (nil, findings, firstBlock) }
        var rewritten = body
        for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            rewritten.replaceSubrange(replacement.range, with: replacement.bytes)
        }
        return (rewritten, findings, firstBlock)
    }
}
