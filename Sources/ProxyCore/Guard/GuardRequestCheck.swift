/// What a guard decided about a request body.
package enum GuardRequestVerdict: Equatable, Sendable {
    /// Nothing to change (log rules may have matched: see the findings).
    case pass
    /// Redacting rules matched: forward this body instead (only the changed strings re-encoded).
    case redact([UInt8])
    /// A block rule matched: the index of the first such rule in `GuardConfig.rules`.
    case block(rule: Int)
}

extension GuardPolicy {
    /// Runs the request rules over the checked messages of a chat body (`GuardMessageScope`):
    /// each text on its own, all rules in one pass per text. A body that is not a chat body
    /// has nothing to check. Pure; allocates only when a text is checked.
    package func checkRequest(_ body: [UInt8]) -> (verdict: GuardRequestVerdict, findings: [GuardFinding]) {
        guard !request.isEmpty else { return (.pass, []) }
        let checked = checkedTexts(in: body)
        var findings: [GuardFinding] = []
        var block: Int?
        var replacements: [(range: Range<Int>, token: [UInt8])] = []
        for text in checked {
            guard let decoded = GuardMessageExtractor.decode(body, text.range) else { continue }
            let step = GuardStreamScanner.scan(decoded, rules: request.scanRules)
            guard !step.matches.isEmpty else { continue }
            let verdict = verdict(of: step.matches, in: request)
            findings += verdict.findings
            if let rule = verdict.block { block = min(block ?? rule, rule) }
            if step.output != decoded {
                var token: [UInt8] = []
                JSONWriter.appendString(String(decoding: step.output, as: UTF8.self), to: &token)
                replacements.append((text.range, token))
            }
        }
        if let block { return (.block(rule: block), findings) }
        guard !replacements.isEmpty else { return (.pass, findings) }
        var rewritten = body
        for replacement in replacements.reversed() {
            rewritten.replaceSubrange(replacement.range, with: replacement.token)
        }
        return (.redact(rewritten), findings)
    }

    /// The texts of a chat body the guard checks (`GuardMessageScope`), in body order.
    package func checkedTexts(in body: [UInt8]) -> [GuardMessageText] {
        guard let texts = GuardMessageExtractor.texts(in: body) else { return [] }
        let scope = config.messages
        var checked = texts.filter { $0.role.map(scope.roles.contains) ?? false }
        if scope.lastOnly, let last = checked.last?.message { checked.removeAll { $0.message != last } }
        return checked
    }
}
