import ProxyCore

/// One answer the mock is producing: its identity, tokens and the bodies that carry them,
/// in OpenAI's chat and completions shapes and Anthropic's messages shape.
struct MockCompletion {
    enum Flavor { case chat, completions, anthropic }

    let flavor: Flavor
    let id: String
    let created: UInt64
    let model: String
    let text: MockText
    let completionTokens: Int
    let reasoningTokens: Int
    let promptTokens: Int
    let truncated: Bool
    /// The tool the answer calls instead of writing text (`MockBehavior.toolCall`).
    let toolCall: String?
    let contentFiltered: Bool
    static let toolArguments = #"{"city":"Paris"}"#

    init(flavor: Flavor, id: String, created: UInt64, model: String, behavior: MockBehavior, request: MockRequest) {
        self.flavor = flavor
        self.id = id
        self.created = created
        self.model = model
        text = behavior.text
        let cap = request.maxTokens ?? Int.max
        completionTokens = min(behavior.outputTokens, cap)
        reasoningTokens = min(behavior.reasoningTokens, completionTokens)
        promptTokens = request.promptTokens
        truncated = behavior.truncate || behavior.outputTokens > cap
        toolCall = request.hasToolResult || flavor == .completions ? nil : behavior.toolCall
        contentFiltered = behavior.contentFilter
    }

    /// The text tokens streamed one event each (none when the answer is a tool call).
    var streamedTokens: Int { toolCall == nil ? completionTokens : 0 }

    var finishReason: String {
        if toolCall != nil { return flavor == .anthropic ? "tool_use" : "tool_calls" }
        if contentFiltered { return flavor == .anthropic ? "refusal" : "content_filter" }
        return switch flavor {
        case .anthropic: truncated ? "max_tokens" : "end_turn"
        case .chat, .completions: truncated ? "length" : "stop"
        }
    }

    private var toolCallID: String { flavor == .anthropic ? "toolu_\(id)" : "call_\(id)" }

    // MARK: Whole bodies

    func body() -> [UInt8] {
        var out: [UInt8] = []
        switch flavor {
        case .chat:
            out += #"{"id":"#.utf8; JSONWriter.appendString(id, to: &out)
            out += #","object":"chat.completion","created":\#(created),"model":"#.utf8; JSONWriter.appendString(model, to: &out)
            out += #","choices":[{"index":0,"message":{"role":"assistant","content":"#.utf8
            if let toolCall {
                out += #"null,"tool_calls":[{"id":"#.utf8; JSONWriter.appendString(toolCallID, to: &out)
                out += #","type":"function","function":{"name":"#.utf8; JSONWriter.appendString(toolCall, to: &out)
                out += #","arguments":"#.utf8; JSONWriter.appendString(Self.toolArguments, to: &out); out += "}}]".utf8
            } else {
                text.appendQuoted(count: completionTokens, to: &out)
            }
            out += #"},"logprobs":null,"finish_reason":"\#(finishReason)"}],"usage":"#.utf8
            appendOpenAIUsage(to: &out)
            out += "}".utf8
        case .completions:
            out += #"{"id":"#.utf8; JSONWriter.appendString(id, to: &out)
            out += #","object":"text_completion","created":\#(created),"model":"#.utf8; JSONWriter.appendString(model, to: &out)
            out += #","choices":[{"text":"#.utf8; text.appendQuoted(count: completionTokens, to: &out)
            out += #","index":0,"logprobs":null,"finish_reason":"\#(finishReason)"}],"usage":"#.utf8
            appendOpenAIUsage(to: &out)
            out += "}".utf8
        case .anthropic:
            out += #"{"id":"#.utf8; JSONWriter.appendString(id, to: &out)
            out += #","type":"message","role":"assistant","model":"#.utf8; JSONWriter.appendString(model, to: &out)
            if let toolCall {
                out += #","content":[{"type":"tool_use","id":"#.utf8; JSONWriter.appendString(toolCallID, to: &out)
                out += #","name":"#.utf8; JSONWriter.appendString(toolCall, to: &out)
                out += #","input":\#(Self.toolArguments)"#.utf8
            } else {
                out += #","content":[{"type":"text","text":"#.utf8; text.appendQuoted(count: completionTokens, to: &out)
            }
            out += #"}],"stop_reason":"\#(finishReason)","stop_sequence":null,"usage":{"input_tokens":\#(promptTokens),"output_tokens":\#(completionTokens)}}"#.utf8
        }
        return out
    }

    func appendOpenAIUsage(to out: inout [UInt8]) {
        out += #"{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(completionTokens),"total_tokens":\#(promptTokens + completionTokens)"#.utf8
        if reasoningTokens > 0 {
            out += #","completion_tokens_details":{"reasoning_tokens":\#(reasoningTokens)}"#.utf8
        }
        out += "}".utf8
    }

    // MARK: Stream events (each a complete SSE event, blank line included)

    /// Events sent before the first token (OpenAI: the role chunk; Anthropic: message_start…).
    func openingEvents(includeUsage: Bool) -> [UInt8] {
        var out: [UInt8] = []
        switch flavor {
        case .chat:
            appendChatChunk(finish: nil, includeUsage: includeUsage, to: &out) { $0 += #"{"role":"assistant","content":""}"#.utf8 }
        case .completions:
            break
        case .anthropic:
            out += "event: message_start\ndata: ".utf8
            out += #"{"type":"message_start","message":{"id":"#.utf8; JSONWriter.appendString(id, to: &out)
            out += #","type":"message","role":"assistant","model":"#.utf8; JSONWriter.appendString(model, to: &out)
            out += #","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":\#(promptTokens),"output_tokens":1}}}"#.utf8
            out += "\n\n".utf8
            if let toolCall {
                out += #"event: content_block_start\#ndata: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"#.utf8
                JSONWriter.appendString(toolCallID, to: &out); out += #","name":"#.utf8; JSONWriter.appendString(toolCall, to: &out)
                out += #","input":{}}}\#n\#n"#.utf8
            } else {
                out += "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".utf8
            }
            out += "event: ping\ndata: {\"type\":\"ping\"}\n\n".utf8
        }
        appendToolCallEvents(includeUsage: includeUsage, to: &out)
        return out
    }

    func appendTokenEvent(_ index: Int, includeUsage: Bool, to out: inout [UInt8]) {
        switch flavor {
        case .chat:
            appendChatChunk(finish: nil, includeUsage: includeUsage, to: &out) { out in
                out += #"{"content":""#.utf8
                text.appendToken(index, of: completionTokens, to: &out)
                out += #""}"#.utf8
            }
        case .completions:
            out += #"data: {"id":"#.utf8; JSONWriter.appendString(id, to: &out)
            out += #","object":"text_completion","created":\#(created),"model":"#.utf8; JSONWriter.appendString(model, to: &out)
            out += #","choices":[{"text":"#.utf8; out += "\"".utf8; text.appendToken(index, of: completionTokens, to: &out); out += "\"".utf8
            out += #","index":0,"logprobs":null,"finish_reason":null}]}"#.utf8
            out += "\n\n".utf8
        case .anthropic:
            out += "event: content_block_delta\ndata: ".utf8
            out += #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#.utf8
            out += "\"".utf8; text.appendToken(index, of: completionTokens, to: &out); out += "\"".utf8
            out += "}}\n\n".utf8
        }
    }

    /// The events after the last token: finish reason, usage when asked, `[DONE]`.
    func closingEvents(includeUsage: Bool) -> [UInt8] {
        var out: [UInt8] = []
        switch flavor {
        case .chat:
            appendChatChunk(finish: finishReason, includeUsage: includeUsage, to: &out) { $0 += "{}".utf8 }
            if includeUsage {
                out += #"data: {"id":"#.utf8; JSONWriter.appendString(id, to: &out)
                out += #","object":"chat.completion.chunk","created":\#(created),"model":"#.utf8; JSONWriter.appendString(model, to: &out)
                out += #","choices":[],"usage":"#.utf8
                appendOpenAIUsage(to: &out)
                out += "}\n\n".utf8
            }
            out += "data: [DONE]\n\n".utf8
        case .completions:
            out += #"data: {"id":"#.utf8; JSONWriter.appendString(id, to: &out)
            out += #","object":"text_completion","created":\#(created),"model":"#.utf8; JSONWriter.appendString(model, to: &out)
            out += #","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"\#(finishReason)"}]"#.utf8
            if includeUsage { out += #","usage":"#.utf8; appendOpenAIUsage(to: &out) }
            out += "}\n\ndata: [DONE]\n\n".utf8
        case .anthropic:
            out += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n".utf8
            out += "event: message_delta\ndata: ".utf8
            out += #"{"type":"message_delta","delta":{"stop_reason":"\#(finishReason)","stop_sequence":null},"usage":{"output_tokens":\#(completionTokens)}}"#.utf8
            out += "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".utf8
        }
        return out
    }

    /// A tool call's arguments in two pieces (as providers stream them), after the opening events.
    private func appendToolCallEvents(includeUsage: Bool, to out: inout [UInt8]) {
        guard let toolCall else { return }
        let arguments = Self.toolArguments
        let half = arguments.index(arguments.startIndex, offsetBy: arguments.count / 2)
        let pieces = [String(arguments[..<half]), String(arguments[half...])]
        switch flavor {
        case .chat:
            appendChatChunk(finish: nil, includeUsage: includeUsage, to: &out) { out in
                out += #"{"tool_calls":[{"index":0,"id":"#.utf8; JSONWriter.appendString(toolCallID, to: &out)
                out += #","type":"function","function":{"name":"#.utf8; JSONWriter.appendString(toolCall, to: &out)
                out += #","arguments":""}}]}"#.utf8
            }
            for piece in pieces {
                appendChatChunk(finish: nil, includeUsage: includeUsage, to: &out) { out in
                    out += #"{"tool_calls":[{"index":0,"function":{"arguments":"#.utf8; JSONWriter.appendString(piece, to: &out)
                    out += "}}]}".utf8
                }
            }
        case .anthropic:
            for piece in pieces {
                out += #"event: content_block_delta\#ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"#.utf8
                JSONWriter.appendString(piece, to: &out)
                out += "}}\n\n".utf8
            }
        case .completions:
            break
        }
    }

    private func appendChatChunk(finish: String?, includeUsage: Bool, to out: inout [UInt8],
                                 delta: (inout [UInt8]) -> Void) {
        out += #"data: {"id":"#.utf8; JSONWriter.appendString(id, to: &out)
        out += #","object":"chat.completion.chunk","created":\#(created),"model":"#.utf8; JSONWriter.appendString(model, to: &out)
        out += #","choices":[{"index":0,"delta":"#.utf8
        delta(&out)
        out += #","logprobs":null,"finish_reason":"#.utf8
        if let finish { out += "\"\(finish)\"".utf8 } else { out += "null".utf8 }
        out += "}]".utf8
        if includeUsage { out += #","usage":null"#.utf8 }
        out += "}\n\n".utf8
    }
}
