import Testing
@testable import ProxyCore

/// Usage from whole (non-streaming) response bodies.
@Suite struct UsageExtractorTests {
    static func usage(_ body: String) -> TokenUsage { UsageExtractor.usage(fromBody: Array(body.utf8)) }

    @Test func openAIChatBodyGivesAllFourCounts() {
        let body = #"""
            {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741570283,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"The image shows","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default","system_fingerprint":"fp_fc9f1d7035"}
            """#
        let usage = Self.usage(body)
        #expect(usage == TokenUsage(prompt: 1117, completion: 46, cached: 1024, reasoning: 0))
        #expect(usage.reported)
    }

    @Test func deepSeekReasonerBodyGivesReasoningAndPrefersOpenAIsCachedField() {
        let body = #"""
            {"id":"930c60df","object":"chat.completion","created":1737500000,"model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant","content":"Hi","reasoning_content":"..."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":15,"completion_tokens":300,"total_tokens":315,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":280},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":15},"system_fingerprint":"fp_1c5d8833bc"}
            """#
        #expect(Self.usage(body) == TokenUsage(prompt: 15, completion: 300, cached: 8, reasoning: 280))
    }

    @Test func deepSeekCacheHitTokensCountAsCachedWhenOpenAIsFieldIsAbsent() {
        let body = #"{"usage":{"prompt_tokens":100,"completion_tokens":5,"total_tokens":105,"prompt_cache_hit_tokens":64,"prompt_cache_miss_tokens":36}}"#
        #expect(Self.usage(body) == TokenUsage(prompt: 100, completion: 5, cached: 64))
    }

    @Test func anthropicBodyAddsCacheReadsAndWritesToInput() {
        let body = #"""
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-3-5-sonnet-20241022","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"cache_creation_input_tokens":188,"cache_read_input_tokens":1000,"output_tokens":393}}
            """#
        #expect(Self.usage(body) == TokenUsage(prompt: 21 + 188 + 1000, completion: 393, cached: 1000, cacheWritten: 188))
    }

    @Test func anthropicBodyWithoutCacheFieldsUsesInputTokens() {
        #expect(Self.usage(#"{"type":"message","usage":{"input_tokens":12,"output_tokens":6}}"#) == TokenUsage(prompt: 12, completion: 6))
    }

    @Test func embeddingsBodyReportsPromptTokensOnly() {
        let body = #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"#
        let usage = Self.usage(body)
        #expect(usage == TokenUsage(prompt: 8))
        #expect(usage.reported)
    }

    @Test func bodyWithoutUsageIsUnreported() {
        #expect(!Self.usage(#"{"id":"x","choices":[]}"#).reported)
        #expect(!Self.usage(#"{"usage":null}"#).reported)
        #expect(!Self.usage(#"{"usage":{}}"#).reported)
        #expect(!Self.usage(#"{"usage":[1,2]}"#).reported)
    }

    @Test func malformedBodyIsUnreportedNotGuessed() {
        #expect(!Self.usage(#"{"usage":{"prompt_tokens":5,"completion_tokens":2}"#).reported)
        #expect(!Self.usage("").reported)
        #expect(!Self.usage("[1]").reported)
    }

    @Test func countsThatAreNotNonNegativeIntegersFittingInIntAreAbsent() {
        let body = #"{"usage":{"prompt_tokens":-1,"completion_tokens":2.0,"prompt_tokens_details":{"cached_tokens":1e3},"completion_tokens_details":{"reasoning_tokens":"7"}}}"#
        #expect(!Self.usage(body).reported)
        #expect(Self.usage(#"{"usage":{"prompt_tokens":9223372036854775808,"completion_tokens":9223372036854775807}}"#)
            == TokenUsage(completion: Int.max))
    }

    @Test func anthropicSumThatOverflowsIsAbsent() {
        let body = #"{"usage":{"input_tokens":9223372036854775807,"cache_read_input_tokens":1,"output_tokens":1}}"#
        #expect(Self.usage(body) == TokenUsage(prompt: nil, completion: 1, cached: 1))
    }

    @Test func usageNestedElsewhereIsIgnored() {
        let body = #"{"choices":[{"usage":{"prompt_tokens":1}}],"meta":{"usage":{"completion_tokens":2}},"usage":{"completion_tokens":3,"extra":{"prompt_tokens":4},"prompt_tokens_details":{"prompt_tokens":5}}}"#
        #expect(Self.usage(body) == TokenUsage(completion: 3))
    }

    @Test func onlyTheFirstUsageMemberCounts() {
        #expect(Self.usage(#"{"usage":{"prompt_tokens":1,"completion_tokens":1},"usage":{"prompt_tokens":9}}"#) == TokenUsage(prompt: 1, completion: 1))
    }

    @Test func escapedKeysMatchByTheirDecodedBytes() {
        #expect(Self.usage(#"{"us\u0061ge":{"prompt_\u0074okens":3,"completion_tokens":1}}"#) == TokenUsage(prompt: 3, completion: 1))
    }
}
