import ProxyCore

/// How the mock answers one request: chosen per model in the models file, then
/// overridden per request by `x-mock-*` headers, so one mock plays several providers.
struct MockBehavior: Sendable {
    /// Delay before the response head of a non-streaming answer.
    var latency = ProxyDuration.zero
    /// Delay before the first streamed token.
    var timeToFirstToken = ProxyDuration.zero
    /// Streaming pace; 0 means as fast as the client reads.
    var tokensPerSecond = 0
    /// Completion tokens produced (a request's `max_tokens` caps it and truncates).
    var outputTokens = 16
    /// Reasoning tokens reported in usage (DeepSeek-R1 style), part of the completion tokens.
    var reasoningTokens = 0
    /// Answer with this status and the provider's error body instead of a completion.
    var status: Int?
    /// Sent with 429/503: `retry-after` (seconds) and `retry-after-ms`.
    var retryAfterSeconds: Int?
    var retryAfterMilliseconds: Int?
    /// The first N requests for this model fail with `status` (or 503), later ones succeed.
    var failFirst = 0
    /// Reset the connection `before` the response or `mid`-stream after `resetAfterTokens`.
    var reset: ResetPoint?
    var resetAfterTokens = 3
    /// End with `finish_reason: "length"` (or `stop_reason: "max_tokens"`).
    var truncate = false
    /// Stream ends without the final event and `[DONE]` (a silently cut stream).
    var dropDone = false
    /// While waiting for the first token, send `: keep-alive` comments this often.
    var keepAliveInterval: ProxyDuration?
    /// A request after this much idle time pays `coldStart` extra before answering.
    var idleBeforeColdStart: ProxyDuration?
    var coldStart = ProxyDuration.zero
    /// When set, requests must carry this key (`Authorization: Bearer`, `api-key` or `x-api-key`).
    var requiredKey: String?
    /// The completion text's words; tokens are these words, repeated as needed.
    var text = MockBehavior.defaultText
    /// Answer by calling this tool (arguments `{"city":"Paris"}`) unless the conversation already
    /// holds a tool result, so a client can run a tool-call round trip.
    var toolCall: String?
    /// End with `finish_reason: "content_filter"` (Anthropic: `stop_reason: "refusal"`), as
    /// Azure OpenAI does when its content filter cuts an answer.
    var contentFilter = false
    static let defaultText = MockText("Hello from sluice-mock, the stand-in provider for tests and benchmarks.")

    enum ResetPoint: String, Sendable { case before, mid }

    /// Applies one override (`name` without the `x-mock-` prefix or a models-file key).
    /// Returns an error message when the value is malformed.
    mutating func apply(_ name: String, _ value: String) -> String? {
        func duration() -> ProxyDuration? {
            ProxyDuration(parsing: value) ?? Int(value).map { ProxyDuration.milliseconds(UInt64(max(0, $0))) }
        }
        func integer(_ range: ClosedRange<Int>) -> Int? { Int(value).flatMap { range.contains($0) ? $0 : nil } }
        switch name {
        case "latency", "latency-ms": guard let d = duration() else { return "bad duration" }; latency = d
        case "ttft", "ttft-ms": guard let d = duration() else { return "bad duration" }; timeToFirstToken = d
        case "tokens-per-second": guard let n = integer(0...1_000_000) else { return "bad integer" }; tokensPerSecond = n
        case "output-tokens": guard let n = integer(0...10_000_000) else { return "bad integer" }; outputTokens = n
        case "reasoning-tokens": guard let n = integer(0...10_000_000) else { return "bad integer" }; reasoningTokens = n
        case "status": guard let n = integer(100...599) else { return "bad status" }; status = n
        case "retry-after": guard let n = integer(0...86_400) else { return "bad integer" }; retryAfterSeconds = n
        case "retry-after-ms": guard let n = integer(0...86_400_000) else { return "bad integer" }; retryAfterMilliseconds = n
        case "fail-first": guard let n = integer(0...1_000_000) else { return "bad integer" }; failFirst = n
        case "reset": guard let r = ResetPoint(rawValue: value) else { return "expected before or mid" }; reset = r
        case "reset-after-tokens": guard let n = integer(0...10_000_000) else { return "bad integer" }; resetAfterTokens = n
        case "truncate": truncate = value == "true" || value == "1"
        case "drop-done": dropDone = value == "true" || value == "1"
        case "keepalive", "keepalive-ms": guard let d = duration(), d > .zero else { return "bad duration" }; keepAliveInterval = d
        case "idle-before-cold-start": guard let d = duration() else { return "bad duration" }; idleBeforeColdStart = d
        case "cold-start": guard let d = duration() else { return "bad duration" }; coldStart = d
        case "required-key": requiredKey = value
        case "content": text = MockText(value)
        case "content-filter": contentFilter = value == "true" || value == "1"
        case "tool-call": guard !value.isEmpty else { return "expected a tool name" }; toolCall = value
        default: return "unknown behaviour '\(name)'"
        }
        return nil
    }
}
