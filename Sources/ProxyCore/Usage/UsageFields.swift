/// The raw usage numbers of one provider object, under the providers' own names, before
/// they are turned into a `TokenUsage`.
///
/// Every field is a non-negative integer the provider sent, or nil when it sent none (or
/// sent something that is not a non-negative integer fitting in `Int`).
struct UsageFields: Hashable, Sendable {
    // OpenAI-compatible (OpenAI, Azure, DeepSeek, vLLM, embeddings).
    var promptTokens: Int?
    var completionTokens: Int?
    /// `prompt_tokens_details.cached_tokens`.
    var cachedTokens: Int?
    /// `completion_tokens_details.reasoning_tokens`.
    var reasoningTokens: Int?
    /// DeepSeek's `prompt_cache_hit_tokens`.
    var promptCacheHitTokens: Int?
    // Anthropic.
    var inputTokens: Int?
    var outputTokens: Int?
    var cacheReadInputTokens: Int?
    var cacheCreationInputTokens: Int?

    /// Whether any number was read.
    var isEmpty: Bool { self == UsageFields() }

    /// Takes every field `newer` has: providers report running totals (Anthropic's
    /// `message_delta` after `message_start`, vLLM's per-chunk usage), so the latest wins.
    mutating func merge(_ newer: UsageFields) {
        if let value = newer.promptTokens { promptTokens = value }
        if let value = newer.completionTokens { completionTokens = value }
        if let value = newer.cachedTokens { cachedTokens = value }
        if let value = newer.reasoningTokens { reasoningTokens = value }
        if let value = newer.promptCacheHitTokens { promptCacheHitTokens = value }
        if let value = newer.inputTokens { inputTokens = value }
        if let value = newer.outputTokens { outputTokens = value }
        if let value = newer.cacheReadInputTokens { cacheReadInputTokens = value }
        if let value = newer.cacheCreationInputTokens { cacheCreationInputTokens = value }
    }

    /// The counts in OpenAI's terms.
    ///
    /// - prompt: `prompt_tokens`; else Anthropic's `input_tokens` plus
    ///   `cache_read_input_tokens` plus `cache_creation_input_tokens` (Anthropic's
    ///   `input_tokens` excludes cached and cache-written tokens; the sum is what was read).
    ///   An overflowing sum is nil (checked arithmetic: numbers come from the provider).
    /// - completion: `completion_tokens`, else `output_tokens`.
    /// - cached: `prompt_tokens_details.cached_tokens`, else DeepSeek's
    ///   `prompt_cache_hit_tokens`, else Anthropic's `cache_read_input_tokens`.
    /// - cacheWritten: Anthropic's `cache_creation_input_tokens`.
    /// - reasoning: `completion_tokens_details.reasoning_tokens`.
    var tokenUsage: TokenUsage {
        var prompt = promptTokens
        if prompt == nil, let input = inputTokens {
            prompt = Self.checkedSum(input, cacheReadInputTokens ?? 0, cacheCreationInputTokens ?? 0)
        }
        return TokenUsage(
            prompt: prompt,
            completion: completionTokens ?? outputTokens,
            cached: cachedTokens ?? promptCacheHitTokens ?? cacheReadInputTokens,
            cacheWritten: cacheCreationInputTokens,
            reasoning: reasoningTokens
        )
    }

    private static func checkedSum(_ a: Int, _ b: Int, _ c: Int) -> Int? {
        let (ab, overflow1) = a.addingReportingOverflow(b)
        let (abc, overflow2) = ab.addingReportingOverflow(c)
        return overflow1 || overflow2 ? nil : abc
    }
}
