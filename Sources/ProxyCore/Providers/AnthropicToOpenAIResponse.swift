/// Translates an Anthropic Messages answer body (a `message` object) into an OpenAI chat
/// completion body.
///
/// Pure. Text blocks are joined into `message.content` (null when there are none), `tool_use`
/// blocks become `tool_calls` with their input written as a JSON string, `thinking` blocks
/// become `reasoning_content` (DeepSeek's member, which OpenAI-SDK apps already read);
/// `redacted_thinking` and server-tool blocks have no OpenAI form and are left out.
package enum AnthropicToOpenAIResponse {
    /// `created` is the Unix time the caller stamps on the answer (Anthropic sends none, and
    /// this code reads no clock).
    package static func translate(_ body: some Collection<UInt8>, created: Int) throws(ProviderTranslationError) -> [UInt8] {
        let message = try ProviderJSONCursor.parse(body)
        let type = try message.required("type").string()
        guard type == "message" else {
            throw .unsupported(path: "type", reason: "expected an Anthropic message, found \"\(type)\"")
        }
        var text = "", reasoning = "", hasText = false
        var toolCalls: [JSONValue] = []
        for block in try message.required("content").array() {
            switch try block.required("type").string() {
            case "text":
                text += try block.required("text").string()
                hasText = true
            case "thinking":
                reasoning += try block.required("thinking").string()
            case "tool_use":
                toolCalls.append(.members([
                    ("id", .string(try block.required("id").string())),
                    ("type", .string("function")),
                    ("function", .members([
                        ("name", .string(try block.required("name").string())),
                        ("arguments", .string(String(decoding: JSONWriter.write(.object(try block.required("input").object())), as: UTF8.self))),
                    ])),
                ]))
            default:
                continue
            }
        }
        var usage = AnthropicToOpenAIMapping.Usage()
        if let counters = message["usage"] { try usage.update(from: counters) }
        let finishReason = AnthropicToOpenAIMapping.finishReason(try message["stop_reason"]?.string())
        let answer: JSONValue = .members([
            ("role", .string("assistant")),
            ("content", hasText ? .string(text) : .null),
            ("reasoning_content", reasoning.isEmpty ? nil : .string(reasoning)),
            ("tool_calls", toolCalls.isEmpty ? nil : .array(toolCalls)),
            ("refusal", .null),
        ])
        return JSONWriter.write(.members([
            ("id", .string(try message.required("id").string())),
            ("object", .string("chat.completion")),
            ("created", .number(JSONNumber(created))),
            ("model", .string(try message.required("model").string())),
            ("choices", .array([.members([
                ("index", .number(JSONNumber(0))),
                ("message", answer),
                ("logprobs", .null),
                ("finish_reason", .string(finishReason)),
            ])])),
            ("usage", usage.openAI),
        ]))
    }
}
