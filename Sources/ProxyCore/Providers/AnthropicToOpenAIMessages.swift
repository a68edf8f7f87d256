/// The message half of `AnthropicToOpenAIRequest`: one Anthropic turn of content blocks to
/// the OpenAI messages it becomes.
enum AnthropicToOpenAIMessages {
    /// A user turn: its `tool_result` blocks become `tool` messages first (OpenAI wants them
    /// right after the assistant's calls), then the rest one user message.
    static func user(_ content: ProviderJSONCursor) throws(ProviderTranslationError) -> [JSONValue] {
        if case .string(let text) = content.value { return [.members([("role", .string("user")), ("content", .string(text))])] }
        var toolMessages: [JSONValue] = []
        var parts: [JSONValue] = []
        var firstText: String? = nil
        for block in try content.array() {
            let type = try block.required("type").string()
            switch type {
            case "text":
                let text = try block.required("text").string()
                if parts.isEmpty { firstText = text }
                parts.append(.members([("type", .string("text")), ("text", .string(text))]))
            case "image":
                parts.append(.members([("type", .string("image_url")), ("image_url", .members([("url", .string(try imageURL(block.required("source"))))]))]))
            case "tool_result":
                toolMessages.append(.members([
                    ("role", .string("tool")),
                    ("tool_call_id", .string(try block.required("tool_use_id").string())),
                    ("content", .string(try toolResultText(block["content"]))),
                ]))
            default:
                throw .unsupported(path: JSONPath.member(block.path, "type"), reason: "content block \"\(type)\" cannot be sent to this backend")
            }
        }
        guard !parts.isEmpty else { return toolMessages }
        // One text part is sent as a plain string, which every compatible backend accepts.
        let userContent: JSONValue = if parts.count == 1, let firstText { .string(firstText) } else { .array(parts) }
        return toolMessages + [.members([("role", .string("user")), ("content", userContent)])]
    }

    static func assistant(_ content: ProviderJSONCursor) throws(ProviderTranslationError) -> JSONValue {
        if case .string(let text) = content.value { return .members([("role", .string("assistant")), ("content", .string(text))]) }
        var text = ""
        var calls: [JSONValue] = []
        for block in try content.array() {
            let type = try block.required("type").string()
            switch type {
            case "text":
                text += try block.required("text").string()
            case "tool_use":
                let arguments = JSONWriter.write(.object(try block.required("input").object()))
                calls.append(.members([
                    ("id", .string(try block.required("id").string())),
                    ("type", .string("function")),
                    ("function", .members([("name", .string(try block.required("name").string())), ("arguments", .string(String(decoding: arguments, as: UTF8.self)))])),
                ]))
            case "thinking", "redacted_thinking":
                continue
            default:
                throw .unsupported(path: JSONPath.member(block.path, "type"), reason: "content block \"\(type)\" cannot be sent to this backend")
            }
        }
        return .members([
            ("role", .string("assistant")),
            ("content", text.isEmpty && !calls.isEmpty ? .null : .string(text)),
            ("tool_calls", calls.isEmpty ? nil : .array(calls)),
        ])
    }

    private static func imageURL(_ source: ProviderJSONCursor) throws(ProviderTranslationError) -> String {
        let type = try source.required("type").string()
        switch type {
        case "base64": return "data:\(try source.required("media_type").string());base64,\(try source.required("data").string())"
        case "url": return try source.required("url").string()
        default: throw .unsupported(path: JSONPath.member(source.path, "type"), reason: "image source \"\(type)\" cannot be sent to this backend")
        }
    }

    /// A tool result's content as text: OpenAI-style backends take tool results as strings.
    private static func toolResultText(_ content: ProviderJSONCursor?) throws(ProviderTranslationError) -> String {
        guard let content else { return "" }
        if case .string(let text) = content.value { return text }
        return try content.array().map { block throws(ProviderTranslationError) in try AnthropicToOpenAIRequest.textOf(block) }.joined(separator: "\n")
    }
}
