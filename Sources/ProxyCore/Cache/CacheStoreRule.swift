/// Whether a complete 200 answer may be stored (`docs/config.md`, "cache"): never a truncated
/// one (`finish_reason: "length"` or `stop_reason: "max_tokens"` the client did not ask for),
/// never a stream that did not end with `[DONE]` (Anthropic's: `message_stop`); several
/// choices, tool calls and log probabilities only when the route allows.
/// Errors and cut transfers never get here (the session stores only clean 200 answers).
///
/// Pure; runs once per stored answer, after the client has it.
package enum CacheStoreRule {
    /// Why an answer is not stored.
    package enum Refusal: String, Error, Hashable, Sendable {
        case notJSON = "not_json"
        /// Stopped at the token limit the client did not set.
        case truncated
        case multipleChoices = "multiple_choices"
        case toolCalls = "tool_calls"
        case logprobs
        /// A stream that is neither OpenAI chat chunks ending with `[DONE]` nor Anthropic events
        /// ending with `message_stop` (cut, or another shape).
        case unsupportedStream = "unsupported_stream"
    }

    /// The usage of `body` when it may be stored under `config`.
    package static func check(_ form: CachedAnswer.Form, body: [UInt8], config: RouteCacheConfig,
                              clientSetMaxTokens: Bool) -> Result<TokenUsage, Refusal> {
        switch form {
        case .eventStream:
            if let completion = CachedChatCompletion(stream: body) {
                if let refusal = check(completion, config: config, clientSetMaxTokens: clientSetMaxTokens) { return .failure(refusal) }
                let usage = completion.usage.map { UsageExtractor.usage(fromBody: JSONWriter.write(.object(JSONObject([("usage", $0)])))) }
                return .success(usage ?? TokenUsage())
            }
            // Anthropic's events: the rules of its message body.
            guard let message = CachedAnthropicMessage(stream: body) else { return .failure(.unsupportedStream) }
            return check(.json, body: JSONWriter.write(message.json()), config: config, clientSetMaxTokens: clientSetMaxTokens)
        case .json:
            guard let value = try? JSONParser.parse(body), case .object(let object) = value else { return .failure(.notJSON) }
            if let completion = CachedChatCompletion(completion: value) {
                if let refusal = check(completion, config: config, clientSetMaxTokens: clientSetMaxTokens) { return .failure(refusal) }
            } else {
                // Other shapes (text completions, embeddings, Anthropic messages): the same rules where they apply.
                let facts = CompletionBodyFacts(body: body, clientSetMaxTokens: clientSetMaxTokens)
                if facts.truncation.isTruncated { return .failure(.truncated) }
                if !config.allowMultipleChoices, case .array(let choices)? = object["choices"], choices.count > 1 {
                    return .failure(.multipleChoices)
                }
                if !config.allowToolCalls, CachedAnthropicMessage(message: value)?.callsTools == true { return .failure(.toolCalls) }
            }
            return .success(UsageExtractor.usage(fromBody: body))
        }
    }

    private static func check(_ completion: CachedChatCompletion, config: RouteCacheConfig, clientSetMaxTokens: Bool) -> Refusal? {
        if !config.allowMultipleChoices, completion.choices.count > 1 { return .multipleChoices }
        for choice in completion.choices {
            if choice.finishReason == .string("length"), !clientSetMaxTokens { return .truncated }
            if !config.allowToolCalls, !choice.toolCalls.isEmpty || choice.finishReason == .string("tool_calls")
                || choice.finishReason == .string("function_call") { return .toolCalls }
            if !config.allowLogprobs, choice.logprobs != .null { return .logprobs }
        }
        return nil
    }
}
