/// Token counts of one response, as the provider reported them, in OpenAI's terms.
///
/// `prompt` counts every input token, cached ones included; `cached` is the part of the
/// prompt read from the provider's prompt cache; `cacheWritten` the part written to it
/// (Anthropic's cache writes, priced apart); `reasoning` is the part of `completion`
/// spent on hidden reasoning. A count is nil when the provider did not report it: Sluice
/// never estimates tokens.
///
/// A plain value; build it with `UsageExtractor` or `UsageStreamFilter`.
package struct TokenUsage: Hashable, Sendable {
    /// Input tokens, cached ones included.
    package var prompt: Int?
    /// Output tokens, reasoning ones included.
    package var completion: Int?
    /// Input tokens served from the provider's prompt cache (a part of `prompt`).
    package var cached: Int?
    /// Input tokens written to the provider's prompt cache (a part of `prompt`): Anthropic's
    /// `cache_creation_input_tokens`.
    package var cacheWritten: Int?
    /// Output tokens spent on reasoning (a part of `completion`).
    package var reasoning: Int?

    /// Creates counts; all nil means nothing was reported.
    package init(prompt: Int? = nil, completion: Int? = nil, cached: Int? = nil, cacheWritten: Int? = nil, reasoning: Int? = nil) {
        self.prompt = prompt
        self.completion = completion
        self.cached = cached
        self.cacheWritten = cacheWritten
        self.reasoning = reasoning
    }

    /// Whether the provider reported usage: a prompt or a completion count was read. When
    /// false, the data plane counts `sluice_tokens_unreported_total` and no tokens.
    package var reported: Bool { prompt != nil || completion != nil }
}
