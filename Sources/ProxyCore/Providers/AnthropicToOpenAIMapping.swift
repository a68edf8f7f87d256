/// The pieces of an Anthropic answer that both the whole-body and the stream translators map
/// to OpenAI's shape the same way: the stop reason and the usage.
package enum AnthropicToOpenAIMapping {
    /// `end_turn`, `stop_sequence`, `pause_turn` → `stop`; `max_tokens` → `length`;
    /// `tool_use` → `tool_calls`; `refusal` → `content_filter`; anything else → `stop`.
    static func finishReason(_ stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"
        }
    }

    /// The token counters of an Anthropic `usage` object, 0 where absent.
    package struct Usage: Hashable, Sendable {
        package var input = 0, output = 0, cacheRead = 0, cacheCreation = 0

        /// Takes every counter `usage` names (a `message_delta` repeats them cumulatively).
        mutating func update(from usage: ProviderJSONCursor) throws(ProviderTranslationError) {
            if let value = usage["input_tokens"] { input = try value.int() }
            if let value = usage["output_tokens"] { output = try value.int() }
            if let value = usage["cache_read_input_tokens"] { cacheRead = try value.int() }
            if let value = usage["cache_creation_input_tokens"] { cacheCreation = try value.int() }
        }

        /// Anthropic counts cached prompt tokens apart from `input_tokens`; OpenAI's
        /// `prompt_tokens` includes them, with the cache reads in `prompt_tokens_details`. The
        /// two Anthropic cache counters are kept as they are, so cache writes can be priced.
        var openAI: JSONValue {
            let prompt = input &+ cacheRead &+ cacheCreation
            return .members([
                ("prompt_tokens", .number(JSONNumber(prompt))),
                ("completion_tokens", .number(JSONNumber(output))),
                ("total_tokens", .number(JSONNumber(prompt &+ output))),
                ("prompt_tokens_details", .members([("cached_tokens", .number(JSONNumber(cacheRead)))])),
                ("cache_read_input_tokens", .number(JSONNumber(cacheRead))),
                ("cache_creation_input_tokens", .number(JSONNumber(cacheCreation))),
            ])
        }
    }
}
