/// The clean ending the sidecar writes when it cuts a stream because a consumer's token limit
/// or quota ran out while it flowed (`midStreamExhaustion: "cut"`): a last event that says the
/// answer stopped for length, an SSE `error` event naming the limit, then the stream's end. The
/// client sees a well-formed stream and a stated reason; the SDKs raise the error after the
/// length event.
package enum StreamCutEnding {
    /// The API whose stream is cut, by request path.
    package enum Shape: Hashable, Sendable {
        /// `/chat/completions`: a `chat.completion.chunk` with `finish_reason: "length"`, then `data: [DONE]`.
        case chat
        /// `/completions`: a `text_completion` chunk with `finish_reason: "length"`, then `data: [DONE]`.
        case completion
        /// Anthropic `/messages`: `message_delta` with `stop_reason: "max_tokens"`, the error event, then `message_stop`.
        case messages

        /// The shape of a stream answering `path`.
        package init(path: Substring) {
            if path.hasSuffix("/messages") {
                self = .messages
            } else if path.hasSuffix("/chat/completions") {
                self = .chat
            } else if path.hasSuffix("/completions") {
                self = .completion
            } else {
                self = .chat
            }
        }
    }

    /// The ending's bytes. `id` and `model` name the answer in the last chunk; `created` is
    /// Unix seconds; `code` and `message` are the error event's.
    package static func bytes(_ shape: Shape, id: String, model: String, created: UInt64, code: String, message: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320 + message.utf8.count)
        switch shape {
        case .chat, .completion:
            out += "data: {\"id\":".utf8
            JSONWriter.appendString(id, to: &out)
            out += (shape == .chat ? #","object":"chat.completion.chunk","created":"# : #","object":"text_completion","created":"#).utf8
            out += String(created).utf8
            out += #","model":"#.utf8
            JSONWriter.appendString(model, to: &out)
            out += (shape == .chat ? #","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#
                : #","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"length"}]}"#).utf8
            out += "\n\nevent: error\ndata: ".utf8
            out += ProxyErrorBody.json(message: message, type: "rate_limit_error", code: code)
            out += "\n\ndata: [DONE]\n\n".utf8
        case .messages:
            out += "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":0}}\n\n".utf8
            out += "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":".utf8
            JSONWriter.appendString(message, to: &out)
            out += "}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".utf8
        }
        return out
    }
}
