/// The pieces of an OpenAI-style answer that both the whole-body and the stream translators
/// map to Anthropic's shape the same way: the finish reason and the usage.
package enum OpenAIToAnthropicMapping {
    /// `stop` → `end_turn`, `length` → `max_tokens`, `tool_calls`/`function_call` →
    /// `tool_use`, `content_filter` → `refusal`; anything else → `end_turn`.
    static func stopReason(_ finishReason: String?) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        case "content_filter": "refusal"
        default: "end_turn"
        }
    }

    /// The token counters of an OpenAI-style `usage` object.
    package struct Usage: Hashable, Sendable {
        package var prompt = 0, completion = 0, cached = 0

        /// Reads `prompt_tokens`, `completion_tokens` and the cached prompt tokens, from
        /// `prompt_tokens_details.cached_tokens` (OpenAI, vLLM) or `prompt_cache_hit_tokens` (DeepSeek).
        mutating func update(from usage: ProviderJSONCursor) throws(ProviderTranslationError) {
            if let value = usage["prompt_tokens"] { prompt = try value.int() }
            if let value = usage["completion_tokens"] { completion = try value.int() }
            if let value = usage["prompt_tokens_details"]?["cached_tokens"] ?? usage["prompt_cache_hit_tokens"] { cached = try value.int() }
        }

        /// Anthropic's `input_tokens` leaves out the cache reads, which it counts apart.
        var anthropic: JSONValue {
            .members([
                ("input_tokens", .number(JSONNumber(max(prompt &- cached, 0)))),
                ("output_tokens", .number(JSONNumber(completion))),
                ("cache_read_input_tokens", .number(JSONNumber(cached))),
                ("cache_creation_input_tokens", .number(JSONNumber(0))),
            ])
        }
    }
}
