/// The API whose shape a guard's answers take.
package enum GuardAPIShape: Sendable {
    /// OpenAI chat completions (`/chat/completions`).
    case openAIChat
    /// Anthropic messages (`/messages`).
    case anthropicMessages

    /// The shape of a request path; nil for paths the guard does not answer for.
    package init?(path: Substring) {
        if path.hasSuffix("/chat/completions") { self = .openAIChat } else if path.hasSuffix("/messages") { self = .anthropicMessages } else { return nil }
    }
}

/// The answer to a blocked request in `completion` mode: a normal completion from model
/// `sluice-guard` whose text is the rule's message, with zero usage, as one JSON body or as
/// the SSE stream the client asked for. Pure.
package enum GuardBlockReply {
    /// The model the reply says it comes from.
    package static let model = "sluice-guard"

    /// The body bytes; `id` is the request id, `created` the Unix time in seconds.
    package static func body(_ shape: GuardAPIShape, message: String, id: String, created: UInt64, stream: Bool) -> [UInt8] {
        switch (shape, stream) {
        case (.openAIChat, false): openAIBody(message: message, id: id, created: created)
        case (.openAIChat, true): openAIStream(message: message, id: id, created: created)
        case (.anthropicMessages, false): anthropicBody(message: message, id: id)
        case (.anthropicMessages, true): anthropicStream(message: message, id: id)
        }
    }

    private static func openAIBody(message: String, id: String, created: UInt64) -> [UInt8] {
        var out = Array(#"{"id":"#.utf8)
        JSONWriter.appendString("chatcmpl-guard-" + id, to: &out)
        out += Array(#","object":"chat.completion","created":"#.utf8)
        JSONWriter.appendInt(created, to: &out)
        out += Array(#","model":"sluice-guard","choices":[{"index":0,"message":{"role":"assistant","content":"#.utf8)
        JSONWriter.appendString(message, to: &out)
        out += Array(#"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}"#.utf8)
        return out
    }

    private static func openAIStream(message: String, id: String, created: UInt64) -> [UInt8] {
        var tokens = ChunkTokens(id: [], created: [], model: Array(#""sluice-guard""#.utf8))
        JSONWriter.appendString("chatcmpl-guard-" + id, to: &tokens.id)
        JSONWriter.appendInt(created, to: &tokens.created)
        var out: [UInt8] = []
        out += chunk(tokens, index: 0, content: Array(message.utf8), role: true, finishReason: nil)
        out += chunk(tokens, index: 0, content: nil, role: false, finishReason: "stop", zeroUsage: true)
        out += doneEvent
        return out
    }

    /// `data: [DONE]` and the blank line that ends it.
    package static let doneEvent: [UInt8] = Array("data: [DONE]\n\n".utf8)

    /// The `id`, `created` and `model` of a stream's chunks, as JSON tokens.
    package struct ChunkTokens: Sendable {
        package var id: [UInt8]
        package var created: [UInt8]
        package var model: [UInt8]
    }

    /// One OpenAI `chat.completion.chunk` event (`data: …` and a blank line) for choice `index`;
    /// `content` is UTF-8 text, sent as the delta's `field` (`content` or `reasoning_content`).
    package static func chunk(_ tokens: ChunkTokens, index: Int, content: [UInt8]?, role: Bool, finishReason: String?,
                              zeroUsage: Bool = false, field: String = "content") -> [UInt8] {
        var out = Array(#"data: {"id":"#.utf8)
        out += tokens.id
        out += Array(#","object":"chat.completion.chunk","created":"#.utf8)
        out += tokens.created
        out += Array(#","model":"#.utf8)
        out += tokens.model
        out += Array(#","choices":[{"index":"#.utf8)
        JSONWriter.appendInt(index, to: &out)
        out += Array(#","delta":{"#.utf8)
        if role { out += Array(#""role":"assistant""#.utf8) }
        if let content {
            if role { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(field, to: &out)
            out.append(UInt8(ascii: ":"))
            content.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &out) }
        }
        out += Array(#"},"finish_reason":"#.utf8)
        if let finishReason { JSONWriter.appendString(finishReason, to: &out) } else { out += Array("null".utf8) }
        out += Array("}]".utf8)
        if zeroUsage { out += Array(#","usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}"#.utf8) }
        out += Array("}\n\n".utf8)
        return out
    }

    /// An Anthropic `content_block_delta` event for block `index`: a `text_delta`, or a
    /// `thinking_delta` when `thinking`.
    package static func anthropicTextDelta(index: Int, text: [UInt8], thinking: Bool = false) -> [UInt8] {
        var out = Array(#"event: content_block_delta"#.utf8) + [0x0A]
        out += Array(#"data: {"type":"content_block_delta","index":"#.utf8)
        JSONWriter.appendInt(index, to: &out)
        out += Array((thinking ? #","delta":{"type":"thinking_delta","thinking":"# : #","delta":{"type":"text_delta","text":"#).utf8)
        text.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &out) }
        out += Array("}}\n\n".utf8)
        return out
    }

    /// An Anthropic `content_block_stop` event for block `index`.
    package static func anthropicBlockStop(index: Int) -> [UInt8] {
        var out = Array(#"event: content_block_stop"#.utf8) + [0x0A] + Array(#"data: {"type":"content_block_stop","index":"#.utf8)
        JSONWriter.appendInt(index, to: &out)
        out += Array("}\n\n".utf8)
        return out
    }

    /// A whole Anthropic text block `index` carrying `text`: its start, one text delta, its stop.
    package static func anthropicTextBlock(index: Int, text: [UInt8]) -> [UInt8] {
        var out = Array(#"event: content_block_start"#.utf8) + [0x0A] + Array(#"data: {"type":"content_block_start","index":"#.utf8)
        JSONWriter.appendInt(index, to: &out)
        out += Array(#","content_block":{"type":"text","text":""}}"#.utf8) + Array("\n\n".utf8)
        out += anthropicTextDelta(index: index, text: text)
        out += anthropicBlockStop(index: index)
        return out
    }

    /// The events that end an Anthropic message early: block `index` stops (when given), then
    /// the message with `stopReason` and no further tokens.
    package static func anthropicEnding(index: Int?, stopReason: String) -> [UInt8] {
        var out = index.map(anthropicBlockStop) ?? []
        out += Array(#"event: message_delta"#.utf8) + [0x0A] + Array(#"data: {"type":"message_delta","delta":{"stop_reason":"#.utf8)
        JSONWriter.appendString(stopReason, to: &out)
        out += Array(#","stop_sequence":null},"usage":{"output_tokens":0}}"#.utf8) + Array("\n\n".utf8)
        out += Array("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".utf8)
        return out
    }

    private static func anthropicBody(message: String, id: String) -> [UInt8] {
        var out = Array(#"{"id":"#.utf8)
        JSONWriter.appendString("msg_guard_" + id, to: &out)
        out += Array(#","type":"message","role":"assistant","model":"sluice-guard","content":[{"type":"text","text":"#.utf8)
        JSONWriter.appendString(message, to: &out)
        out += Array(#"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}"#.utf8)
        return out
    }

    private static func anthropicStream(message: String, id: String) -> [UInt8] {
        var start = Array(#"{"type":"message_start","message":{"id":"#.utf8)
        JSONWriter.appendString("msg_guard_" + id, to: &start)
        start += Array(#","type":"message","role":"assistant","model":"sluice-guard","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}"#.utf8)
        var delta = Array(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#.utf8)
        JSONWriter.appendString(message, to: &delta)
        delta += Array("}}".utf8)
        var out: [UInt8] = []
        for (name, data) in [("message_start", start),
                             ("content_block_start", Array(#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#.utf8)),
                             ("content_block_delta", delta),
                             ("content_block_stop", Array(#"{"type":"content_block_stop","index":0}"#.utf8)),
                             ("message_delta", Array(#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":0}}"#.utf8)),
                             ("message_stop", Array(#"{"type":"message_stop"}"#.utf8))] {
            out += Array("event: \(name)\ndata: ".utf8)
            out += data
            out += Array("\n\n".utf8)
        }
        return out
    }
}
