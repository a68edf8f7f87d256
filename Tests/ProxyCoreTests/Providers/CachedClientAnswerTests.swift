import Testing
@testable import ProxyCore

/// `AnswerTranslator.cachedClientAnswer`: a translated attempt's answer rebuilt for the cache in
/// the client's API — a stream with its usage chunk, a body as the client got it, nothing from
/// an answer that does not translate to its end.
@Suite struct CachedClientAnswerTests {
    static let anthropicStream = Array(#"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","model":"c","usage":{"input_tokens":25,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """#.utf8)

    @Test func anAnthropicStreamIsStoredAsChatChunksWithTheUsageChunkAndDone() throws {
        let stored = try #require(AnswerTranslator.cachedClientAnswer(of: Self.anthropicStream, eventStream: true,
                                                                      direction: .openAIToAnthropic(defaultMaxTokens: 4096), created: 1700))
        let text = String(decoding: stored, as: UTF8.self)
        #expect(text.contains(#""created":1700"#))
        #expect(text.contains(#""choices":[],"usage":{"prompt_tokens":25,"completion_tokens":15"#), "stored whatever the client asked")
        #expect(text.hasSuffix("data: [DONE]\n\n"))
        let completion = try #require(CachedChatCompletion(stream: stored))
        #expect(completion.choices.first?.finishReason == .string("stop"))
    }

    @Test func aStreamCutBeforeItsEndIsNotStored() {
        let cut = Array(Self.anthropicStream.prefix(Self.anthropicStream.count - 40))
        #expect(AnswerTranslator.cachedClientAnswer(of: cut, eventStream: true, direction: .openAIToAnthropic(defaultMaxTokens: 4096),
                                                    created: 0) == nil)
    }

    @Test func anOpenAIBodyIsStoredAsTheAnthropicMessageTheClientGot() throws {
        let body = Array(#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#.utf8)
        let stored = try #require(AnswerTranslator.cachedClientAnswer(of: body, eventStream: false, direction: .anthropicToOpenAI, created: 0))
        #expect(stored == AnswerTranslator.translate(whole: body, status: 200, direction: .anthropicToOpenAI, created: 0).body)
        #expect(CachedAnthropicMessage(message: try JSONParser.parse(stored)) != nil)
        #expect(AnswerTranslator.cachedClientAnswer(of: Array("not json".utf8), eventStream: false, direction: .anthropicToOpenAI,
                                                    created: 0) == nil, "an answer that does not translate")
    }
}
