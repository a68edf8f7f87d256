import Testing
@testable import ProxyCore

/// `AnswerTranslator.cachedClientAnswer`: a translated attempt's answer rebuilt for the cache in
/// the client's API — a stream with its usage chunk, a body as the client got it, nothing from
/// an answer that does not translate to its end.
@Suite struct CachedClientAnswerTests {
    /// 25 input and 15 output tokens.
    static let anthropicStream = SSEFixtures.anthropicStream

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
