/// What a `UsageStreamFilter` learned from a whole stream.
package struct StreamUsage: Hashable, Sendable {
    /// The counts the stream reported (the last value of each, since providers send
    /// running totals); `usage.reported` is false when the stream carried none.
    package var usage: TokenUsage
    /// Whether the stream ended with its terminal event (`data: [DONE]` for OpenAI-compatible
    /// streams, `message_stop` for Anthropic) and at an event boundary. False means the
    /// stream was cut: its usage, if any, may be partial.
    package var endedCleanly: Bool

    /// Creates a result.
    package init(usage: TokenUsage, endedCleanly: Bool) {
        self.usage = usage
        self.endedCleanly = endedCleanly
    }

    /// `usage.prompt`.
    package var prompt: Int? { usage.prompt }
    /// `usage.completion`.
    package var completion: Int? { usage.completion }
    /// `usage.cached`.
    package var cached: Int? { usage.cached }
    /// `usage.reasoning`.
    package var reasoning: Int? { usage.reasoning }
    /// `usage.reported`.
    package var reported: Bool { usage.reported }
}
