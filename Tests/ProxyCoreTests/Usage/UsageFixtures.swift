@testable import ProxyCore

/// Real-shaped provider streams and bodies for the usage suites, and a driver for
/// `UsageStreamFilter`.
enum UsageFixtures {
    /// An OpenAI chat completion stream, as OpenAI (and sluice-mock) send it: with
    /// `include_usage`, every chunk ends with `,"usage":null` and a usage-only chunk
    /// (`"choices":[]`) precedes `[DONE]`; without it, neither appears. A keep-alive comment
    /// sits between two chunks.
    static func openAIChat(includeUsage: Bool) -> [UInt8] {
        let head = #"{"id":"chatcmpl-AbC123","object":"chat.completion.chunk","created":1718000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":"#
        let usageNull = includeUsage ? #","usage":null"# : ""
        let deltas = [
            #"{"role":"assistant","content":"","refusal":null}"#, #"{"content":"Hello"}"#,
            #"{"content":", wörld ✓\n"}"#, "{}",
        ]
        var text = ""
        for (index, delta) in deltas.enumerated() {
            let finish = index == deltas.count - 1 ? #""stop""# : "null"
            text += "data: \(head)[{\"index\":0,\"delta\":\(delta),\"logprobs\":null,\"finish_reason\":\(finish)}]\(usageNull)}\n\n"
            if index == 1 { text += ": keep-alive\n\n" }
        }
        if includeUsage {
            text += "data: \(head)[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"
        }
        text += "data: [DONE]\n\n"
        return Array(text.utf8)
    }

    /// The stream sluice-mock sends for a chat request (`MockCompletion`), byte for byte.
    static func mockChat(includeUsage: Bool, reasoningTokens: Int = 0) -> [UInt8] {
        let head = #"data: {"id":"chatcmpl-mock-7","object":"chat.completion.chunk","created":1718000001,"model":"mock-gpt","choices":[{"index":0,"delta":"#
        let tail = includeUsage ? #","usage":null}"# + "\n\n" : "}\n\n"
        var text = head + #"{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]"# + tail
        for token in ["Hello ", "from ", "sluice-mock,"] {
            text += head + #"{"content":"\#(token)"},"logprobs":null,"finish_reason":null}]"# + tail
        }
        text += head + #"{},"logprobs":null,"finish_reason":"stop"}]"# + tail
        if includeUsage {
            let details = reasoningTokens > 0 ? #","completion_tokens_details":{"reasoning_tokens":\#(reasoningTokens)}"# : ""
            text += #"data: {"id":"chatcmpl-mock-7","object":"chat.completion.chunk","created":1718000001,"model":"mock-gpt","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15\#(details)}}"# + "\n\n"
        }
        text += "data: [DONE]\n\n"
        return Array(text.utf8)
    }

    /// A DeepSeek-R1 (`deepseek-reasoner`) stream: `reasoning_content` deltas, keep-alive
    /// comments while it thinks, and usage on the finish chunk with `reasoning_tokens` and
    /// DeepSeek's own `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`.
    static let deepSeekReasoner = Array(#"""
        : keep-alive

        data: {"id":"6a1d2b9e-0c41-4b1a-9f0e-3c6f2a1e8d77","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}]}

        data: {"id":"6a1d2b9e-0c41-4b1a-9f0e-3c6f2a1e8d77","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"content":null,"reasoning_content":"Okay, the user"},"logprobs":null,"finish_reason":null}]}

        : keep-alive

        data: {"id":"6a1d2b9e-0c41-4b1a-9f0e-3c6f2a1e8d77","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"content":"Hi!","reasoning_content":null},"logprobs":null,"finish_reason":null}]}

        data: {"id":"6a1d2b9e-0c41-4b1a-9f0e-3c6f2a1e8d77","object":"chat.completion.chunk","created":1738000000,"model":"deepseek-reasoner","system_fingerprint":"fp_7e73fd9a08_prod0225","choices":[{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":13,"completion_tokens":227,"total_tokens":240,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":188},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":13}}

        data: [DONE]


        """#.utf8)

    /// A DeepSeek-V3 (`deepseek-chat`) stream whose usage carries only DeepSeek's cache
    /// fields, not OpenAI's `prompt_tokens_details`.
    static let deepSeekChatCacheHit = Array(#"""
        data: {"id":"9f2c","object":"chat.completion.chunk","created":1738000100,"model":"deepseek-chat","system_fingerprint":"fp_3a5770e1b4","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

        data: {"id":"9f2c","object":"chat.completion.chunk","created":1738000100,"model":"deepseek-chat","system_fingerprint":"fp_3a5770e1b4","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"9f2c","object":"chat.completion.chunk","created":1738000100,"model":"deepseek-chat","system_fingerprint":"fp_3a5770e1b4","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1024,"completion_tokens":2,"total_tokens":1026,"prompt_cache_hit_tokens":960,"prompt_cache_miss_tokens":64}}

        data: [DONE]


        """#.utf8)

    /// An Anthropic Messages stream with prompt caching: `message_start` carries input and
    /// cache counts, `message_delta` the final output count, `message_stop` ends it.
    static let anthropicMessages = Array(#"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-3-5-sonnet-20241022","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":2048,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """#.utf8)


    /// Feeds `chunks` to a fresh filter and returns everything emitted plus the result.
    static func run(
        _ chunks: [ArraySlice<UInt8>], stripsUsage: Bool, maxEventBytes: Int = 1 << 20
    ) -> (output: [UInt8], usage: StreamUsage) {
        var filter = UsageStreamFilter(stripsUsage: stripsUsage, maxEventBytes: maxEventBytes)
        var output: [UInt8] = []
        for chunk in chunks {
            Array(chunk).withUnsafeBytes { filter.feed($0) { output.append(contentsOf: $0) } }
        }
        let usage = filter.finish { output.append(contentsOf: $0) }
        return (output, usage)
    }

    /// `run` with the whole stream in one chunk.
    static func run(_ stream: [UInt8], stripsUsage: Bool, maxEventBytes: Int = 1 << 20) -> (output: [UInt8], usage: StreamUsage) {
        run([stream[...]], stripsUsage: stripsUsage, maxEventBytes: maxEventBytes)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
