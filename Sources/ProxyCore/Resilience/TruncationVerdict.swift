/// How a response ended, as far as truncation goes (see `TruncationDetector`).
package enum TruncationVerdict: Hashable, Sendable {
    /// It finished on its own (`stop`, a tool call, `end_turn`…), or at a token limit the client set.
    case complete
    /// It stopped at the token limit (`finish_reason: "length"`, `stop_reason: "max_tokens"`)
    /// although the client set no `max_tokens`: the answer is probably cut off.
    case tokenLimit
    /// The stream ended without its end marker (`data: [DONE]`, `message_stop`) or a final
    /// finish reason: the provider stopped mid-answer.
    case cutOff

    /// Whether the response counts as `AttemptOutcome.truncated`.
    package var isTruncated: Bool { self != .complete }
}
