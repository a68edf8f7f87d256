import Testing
@testable import ProxyCore

/// What the golden files do not show: the flags and counters the translators hand back to
/// their caller.
@Suite struct ProviderTranslatorTests {
    static func request(_ json: String, defaultMaxTokens: Int = 4096) throws -> OpenAIToAnthropicRequest.Translation {
        try OpenAIToAnthropicRequest.translate(Array(json.utf8), options: .init(defaultMaxTokens: defaultMaxTokens))
    }

    static func member(_ body: [UInt8], _ key: String) throws -> JSONValue? {
        guard case .object(let object) = try JSONParser.parse(body) else { return nil }
        return object[key]
    }

    @Test func requestTranslationReportsWhetherTheClientStreamsAndWantsUsage() throws {
        let plain = try Self.request(#"{"model":"m","messages":[{"role":"user","content":"Hi"}]}"#)
        #expect(!plain.stream && !plain.includeUsage)
        #expect(try Self.member(plain.body, "stream") == nil)
        let streaming = try Self.request(#"{"model":"m","messages":[{"role":"user","content":"Hi"}],"stream":true,"stream_options":{"include_usage":true}}"#)
        #expect(streaming.stream && streaming.includeUsage)
        #expect(try Self.member(streaming.body, "stream_options") == nil)
    }

    @Test func theConfiguredMaxTokensApplyOnlyWhenTheRequestNamesNone() throws {
        let defaulted = try Self.request(#"{"model":"m","messages":[{"role":"user","content":"Hi"}]}"#, defaultMaxTokens: 777)
        #expect(try Self.member(defaulted.body, "max_tokens") == .number(JSONNumber(777)))
        let named = try Self.request(#"{"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":5}"#, defaultMaxTokens: 777)
        #expect(try Self.member(named.body, "max_tokens") == .number(JSONNumber(5)))
    }

    @Test func aZeroMaxTokensIsRefusedWithItsPath() {
        #expect(throws: ProviderTranslationError.outOfRange(path: "max_completion_tokens", reason: "must be at least 1")) {
            try Self.request(#"{"model":"m","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":0}"#)
        }
    }

    @Test func anAnthropicStreamCountsUsageForAccountingEvenWhenTheClientDidNotAskForIt() {
        var translator = AnthropicStreamToOpenAI(created: 0, includeUsage: false)
        var output: [UInt8] = []
        translator.feed(Array(#"""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","model":"c","usage":{"input_tokens":25,"cache_read_input_tokens":100,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}

            event: message_stop
            data: {"type":"message_stop"}


            """#.utf8), into: &output)
        #expect(translator.finish() == .complete)
        #expect(translator.usage == AnthropicToOpenAIMapping.Usage(input: 25, output: 15, cacheRead: 100, cacheCreation: 0))
        #expect(!String(decoding: output, as: UTF8.self).contains("\"usage\""))
    }

    @Test func anOpenAIStreamCountsUsageIncludingDeepSeekCacheHits() {
        var translator = OpenAIStreamToAnthropic()
        var output: [UInt8] = []
        translator.feed(Array(#"""
            data: {"id":"c","model":"deepseek-chat","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":50,"completion_tokens":2,"prompt_cache_hit_tokens":40}}

            data: [DONE]


            """#.utf8), into: &output)
        #expect(translator.finish() == .complete)
        #expect(translator.usage == OpenAIToAnthropicMapping.Usage(prompt: 50, completion: 2, cached: 40))
        #expect(String(decoding: output, as: UTF8.self).contains(#""usage":{"input_tokens":10,"output_tokens":2,"cache_read_input_tokens":40"#))
    }

    @Test func nothingIsWrittenAfterAStreamFailed() {
        var translator = AnthropicStreamToOpenAI(created: 0, includeUsage: false)
        var output: [UInt8] = []
        translator.feed(Array("data: {not json}\n\n".utf8), into: &output)
        let afterFailure = output
        translator.feed(Array("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".utf8), into: &output)
        #expect(output == afterFailure)
        guard case .malformed(.invalidJSON) = translator.finish() else { Issue.record("expected a malformed outcome"); return }
    }
}
