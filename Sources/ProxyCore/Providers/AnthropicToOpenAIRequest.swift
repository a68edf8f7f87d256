/// Translates an Anthropic Messages request body into an OpenAI chat completions request body,
/// for OpenAI-style backends (OpenAI, DeepSeek, DashScope, vLLM, Ollama, compatibles).
///
/// Pure. `system` becomes one system message; `tool_result` blocks become `tool` messages
/// placed right after the assistant turn that called them; `tool_use` blocks become
/// `tool_calls`; images become `image_url` parts (base64 as data URLs). Thinking blocks in
/// the history are left out (DeepSeek refuses its reasoning sent back). A stream always asks
/// for the usage chunk, because Anthropic's `message_delta` reports usage. `top_k`, `thinking`,
/// `cache_control` and `service_tier` have no OpenAI equivalent and are left out.
package enum AnthropicToOpenAIRequest {
    /// The translated request and what the answer's translation needs to know about it.
    package struct Translation: Hashable, Sendable {
        /// The OpenAI request body (compact JSON).
        package var body: [UInt8]
        /// The client asked for a stream.
        package var stream: Bool
    }

    package static func translate(_ body: some Collection<UInt8>) throws(ProviderTranslationError) -> Translation {
        let request = try ProviderJSONCursor.parse(body)
        _ = try request.object()
        var messages: [JSONValue] = []
        if let system = request["system"] {
            let text: String
            if case .string(let string) = system.value {
                text = string
            } else {
                text = try system.array().map { block throws(ProviderTranslationError) in try textOf(block) }.joined(separator: "\n\n")
            }
            if !text.isEmpty { messages.append(.members([("role", .string("system")), ("content", .string(text))])) }
        }
        for message in try request.required("messages").array() {
            let role = try message.required("role").string()
            switch role {
            case "user": messages += try AnthropicToOpenAIMessages.user(message.required("content"))
            case "assistant": messages.append(try AnthropicToOpenAIMessages.assistant(message.required("content")))
            default: throw .unsupported(path: JSONPath.member(message.path, "role"), reason: "role must be user or assistant")
            }
        }
        let stream = try request["stream"]?.bool() ?? false
        var output: [(String, JSONValue?)] = [
            ("model", .string(try request.required("model").string())),
            ("messages", .array(messages)),
            ("max_tokens", .number(JSONNumber(try request.required("max_tokens").int()))),
        ]
        if let stop = request["stop_sequences"] {
            var sequences: [JSONValue] = []
            for sequence in try stop.array() { sequences.append(.string(try sequence.string())) }
            output.append(("stop", .array(sequences)))
        }
        if let temperature = request["temperature"] { output.append(("temperature", .number(try temperature.number()))) }
        if let topP = request["top_p"] { output.append(("top_p", .number(try topP.number()))) }
        let tools = try request["tools"]?.array() ?? []
        if !tools.isEmpty { output.append(("tools", try translateTools(tools))) }
        // OpenAI refuses a tool_choice without tools.
        if let choice = request["tool_choice"], !tools.isEmpty {
            let type = try choice.required("type").string()
            switch type {
            case "auto": output.append(("tool_choice", .string("auto")))
            case "any": output.append(("tool_choice", .string("required")))
            case "none": output.append(("tool_choice", .string("none")))
            case "tool":
                let function: JSONValue = .members([("name", .string(try choice.required("name").string()))])
                output.append(("tool_choice", .members([("type", .string("function")), ("function", function)])))
            default: throw .unsupported(path: JSONPath.member(choice.path, "type"), reason: "unknown tool_choice type \"\(type)\"")
            }
            if try choice["disable_parallel_tool_use"]?.bool() == true { output.append(("parallel_tool_calls", .bool(false))) }
        }
        if let user = request["metadata"]?["user_id"] { output.append(("user", .string(try user.string()))) }
        if stream {
            output.append(("stream", .bool(true)))
            output.append(("stream_options", .members([("include_usage", .bool(true))])))
        }
        return Translation(body: JSONWriter.write(.members(output)), stream: stream)
    }

    /// The text of a block that must be a text block.
    static func textOf(_ block: ProviderJSONCursor) throws(ProviderTranslationError) -> String {
        let type = try block.required("type").string()
        guard type == "text" else { throw .unsupported(path: JSONPath.member(block.path, "type"), reason: "only text blocks are allowed here") }
        return try block.required("text").string()
    }

    private static func translateTools(_ tools: [ProviderJSONCursor]) throws(ProviderTranslationError) -> JSONValue {
        var result: [JSONValue] = []
        for tool in tools {
            if let type = tool["type"], try type.string() != "custom" {
                throw .unsupported(path: type.path, reason: "server tool \"\(try type.string())\" runs on Anthropic's side and cannot be sent to this backend")
            }
            result.append(.members([("type", .string("function")), ("function", .members([
                ("name", .string(try tool.required("name").string())),
                ("description", try tool["description"].map { description throws(ProviderTranslationError) in .string(try description.string()) }),
                ("parameters", .object(try tool.required("input_schema").object())),
            ]))]))
        }
        return .array(result)
    }
}
