@testable import ProxyCore

/// Realistic provider streams and helpers shared by the SSE suites.
enum SSEFixtures {
    /// An OpenAI chat completion stream with `stream_options.include_usage`: a role chunk,
    /// content chunks (one with non-ASCII text and an escaped newline), a keep-alive
    /// comment, the finish chunk, the usage chunk and `[DONE]`.
    static let openAIStream = Array("""
        data: {"id":"chatcmpl-9xA1","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-9xA1","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}

        : keep-alive

        data: {"id":"chatcmpl-9xA1","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":", wörld ✓\\n"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-9xA1","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-9xA1","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}

        data: [DONE]


        """.utf8)

    /// An Anthropic Messages stream, `message_start` to `message_stop`, with a `ping`.
    static let anthropicStream = Array("""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-3-5-sonnet-20241022","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"! Grüße"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """.utf8)


    /// Parses `chunks` in order with a fresh parser; returns the items, the error if any,
    /// and how the stream ended.
    static func parse(
        _ chunks: [ArraySlice<UInt8>], maxEventBytes: Int = 1 << 20
    ) -> (items: [SSEItem], error: SSEParserError?, end: SSEParser.StreamEnd) {
        var parser = SSEParser(maxEventBytes: maxEventBytes)
        var items: [SSEItem] = []
        for chunk in chunks {
            do {
                // The callback form, so that items before an error are kept.
                try Array(chunk).withUnsafeBytes { buffer in
                    try parser.feed(buffer) { items.append($0) }
                }
            } catch let error as SSEParserError {
                return (items, error, parser.finish())
            } catch {
                fatalError("unexpected \(error)")
            }
        }
        return (items, nil, parser.finish())
    }

    /// The events of `items`, without comments.
    static func events(_ items: [SSEItem]) -> [SSEEvent] {
        items.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }
}
