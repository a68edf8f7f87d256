import ProxyCore

/// Phase 5, guard request (after route, which says which guard applies): the route's guard's
/// request rules over the checked messages of the chat body (`GuardPolicy.checkRequest`). A
/// block answers locally — a `sluice-guard` completion, or an error — and the provider is never
/// called; a redaction replaces the body that goes upstream; log rules only record.
enum GuardRequestPhase {
    enum Outcome {
        case next
        case redacted([UInt8])
        case blocked(GuardRuleConfig)
        /// The guard cannot read this request or its answer: refused rather than let through unchecked.
        case unsupported(LocalAnswer)
    }

    static func run(body: [UInt8], path: Substring, policy: GuardPolicy, record: ([GuardFinding]) -> Void) -> Outcome {
        let shape = GuardAPIShape(path: path)
        if shape == nil, !body.isEmpty {
            return .unsupported(LocalAnswer(status: 501, code: "guard_unsupported",
                                            message: "guard \"\(policy.config.name)\" checks chat bodies only (/chat/completions, /messages); \(path) is not one"))
        }
        guard !policy.request.isEmpty, shape != nil else { return .next }
        let check = policy.checkRequest(body)
        if !check.findings.isEmpty { record(check.findings) }
        switch check.verdict {
        case .pass: return .next
        case .redact(let rewritten): return .redacted(rewritten)
        case .block(let rule): return .blocked(policy.config.rules[rule])
        }
    }

    /// The answer to a blocked request: the guard's `blockedResponse`, in the shape of the API called.
    static func reply(to rule: GuardRuleConfig, policy: GuardPolicy, path: Substring, stream: Bool, requestID: String,
                      created: UInt64) -> Reply {
        let message = if case .block(let text) = rule.action { text } else { GuardAction.defaultMessage }
        switch policy.config.blockedResponse {
        case .error(let status):
            return .error(LocalAnswer(status: status, code: "content_blocked",
                                      message: "the request was blocked by guard rule \"\(rule.name)\": \(message)"))
        case .completion:
            let shape = GuardAPIShape(path: path) ?? .openAIChat
            return .completion(body: GuardBlockReply.body(shape, message: message, id: requestID, created: created, stream: stream),
                               eventStream: stream)
        }
    }

    enum Reply {
        case error(LocalAnswer)
        case completion(body: [UInt8], eventStream: Bool)
    }
}
