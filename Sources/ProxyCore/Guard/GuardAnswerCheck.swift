extension GuardPolicy {
    /// Runs the response rules over a whole (non-streamed) OpenAI chat completion body: each
    /// choice's `message.content` on its own. A redaction re-encodes only the changed strings; a
    /// block replaces the content of the choice with the rule's message and its `finish_reason`
    /// with `content_filter`. Nil when nothing changes. Pure.
    package func checkAnswer(_ body: [UInt8]) -> (body: [UInt8]?, findings: [GuardFinding], block: Int?) {
        guard !response.isEmpty, let fields = body.withUnsafeBytes(GuardChoiceFields.read) else { return (nil, [], nil) }
        var rewritten = body
        var changed = false
        var findings: [GuardFinding] = []
        var firstBlock: Int?
        for choice in fields.choices.reversed() {
            guard let content = choice.content, let decoded = GuardMessageExtractor.decode(body, content) else { continue }
            let step = GuardStreamScanner.scan(decoded, rules: response.scanRules)
            guard !step.matches.isEmpty else { continue }
            let verdict = verdict(of: step.matches, in: response)
            findings += verdict.findings
            var token: [UInt8] = []
            if let rule = verdict.block, case .block(let message) = config.rules[rule].action {
                firstBlock = min(firstBlock ?? rule, rule)
                JSONWriter.appendString(message, to: &token)
                // The finish reason comes after the message in OpenAI's order; replace it first.
                if let finish = choice.finishReason, finish.lowerBound > content.lowerBound {
                    rewritten.replaceSubrange(finish, with: Array(#""content_filter""#.utf8))
                    rewritten.replaceSubrange(content, with: token)
                } else {
                    rewritten.replaceSubrange(content, with: token)
                    if let finish = choice.finishReason {
                        rewritten.replaceSubrange(finish, with: Array(#""content_filter""#.utf8))
                    }
                }
            } else if step.output != decoded {
                step.output.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &token) }
                rewritten.replaceSubrange(content, with: token)
            } else {
                continue
            }
            changed = true
        }
        return (changed ? rewritten : nil, findings, firstBlock)
    }
}
