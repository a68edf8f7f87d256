/// Translates an OpenAI-style chat completion body into an Anthropic Messages answer.
///
/// Pure. The first choice is translated: DeepSeek's `reasoning_content` becomes a `thinking`
/// block (with an empty signature: there is none to give), the content a `text` block, each
/// tool call a `tool_use` block whose `input` is the parsed arguments (arguments that are not
/// a JSON object are an error: Anthropic's `input` is an object).
package enum OpenAIToAnthropicResponse {
    package static func translate(_ body: some Collection<UInt8>) throws(ProviderTranslationError) -> [UInt8] {
        let completion = try ProviderJSONCursor.parse(body)
        guard let choice = try completion.required("choices").array().first else {
            throw .unsupported(path: "choices", reason: "the answer has no choice")
        }
        let message = try choice.required("message")
        var content: [JSONValue] = []
        if let reasoning = message["reasoning_content"], case let text = try reasoning.string(), !text.isEmpty {
            content.append(.members([("type", .string("thinking")), ("thinking", .string(text)), ("signature", .string(""))]))
        }
        if let text = message["content"], case let string = try text.string(), !string.isEmpty {
            content.append(.members([("type", .string("text")), ("text", .string(string))]))
        }
        for call in try message["tool_calls"]?.array() ?? [] {
            let function = try call.required("function")
            content.append(.members([
                ("type", .string("tool_use")),
                ("id", .string(try call.required("id").string())),
                ("name", .string(try function.required("name").string())),
                ("input", try toolInput(function.required("arguments"))),
            ]))
        }
        var usage = OpenAIToAnthropicMapping.Usage()
        if let counters = completion["usage"] { try usage.update(from: counters) }
        return JSONWriter.write(.members([
            ("id", .string(try completion.required("id").string())),
            ("type", .string("message")),
            ("role", .string("assistant")),
            ("model", .string(try completion.required("model").string())),
            ("content", .array(content)),
            ("stop_reason", .string(OpenAIToAnthropicMapping.stopReason(try choice["finish_reason"]?.string()))),
            ("stop_sequence", .null),
            ("usage", usage.anthropic),
        ]))
    }

    /// Tool call arguments (a JSON text) as Anthropic's `input` object; empty text is `{}`.
    static func toolInput(_ arguments: ProviderJSONCursor) throws(ProviderTranslationError) -> JSONValue {
        let text = try arguments.string()
        if text.isEmpty { return .members([]) }
        guard case .object(let object)? = try? JSONParser.parse(text) else {
            throw .wrongType(path: arguments.path, expected: "a JSON object in a string")
        }
        return .object(object)
    }
}
