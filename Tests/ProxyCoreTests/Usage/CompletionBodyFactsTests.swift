import Testing
@testable import ProxyCore

/// One walk over a held body must read exactly what the two separate readers read.
@Suite struct CompletionBodyFactsTests {
    static let bodies: [String] = [
        #"{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"It was the best of"},"finish_reason":"length"}],"usage":{"prompt_tokens":12,"completion_tokens":4096,"total_tokens":4108}}"#,
        #"{"choices":[{"finish_reason":"stop"},{"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"completion_tokens_details":{"reasoning_tokens":1}}}"#,
        #"{"finish_reason":"length","choices":[{"message":{"content":"x","finish_reason":"length"},"finish_reason":"stop"}]}"#,
        #"{"type":"message","content":[{"type":"text","text":"..."}],"stop_reason":"max_tokens","usage":{"input_tokens":9,"output_tokens":64,"cache_read_input_tokens":3}}"#,
        #"{"type":"message","stop_reason":"end_turn","usage":{"input_tokens":9,"output_tokens":1}}"#,
        #"{"choices":[{"finish_reason":"len\u0067th"}],"usage":{"prompt_tokens":5}}"#,
        "not json",
        #"{"choices":[{"finish_reason":"length"}"#,
        "",
    ] + [UsageFixtures.deepSeekReasoner, UsageFixtures.deepSeekChatCacheHit, UsageFixtures.anthropicMessages]
        .map { String(decoding: $0, as: UTF8.self) }

    @Test(arguments: bodies, [false, true])
    func oneWalkReadsWhatTheTwoReadersRead(_ body: String, _ clientSetMaxTokens: Bool) {
        let bytes = Array(body.utf8)
        let facts = CompletionBodyFacts(body: bytes, clientSetMaxTokens: clientSetMaxTokens)
        #expect(facts.usage == UsageExtractor.usage(fromBody: bytes))
        #expect(facts.truncation == TruncationDetector.verdict(body: bytes, clientSetMaxTokens: clientSetMaxTokens))
    }

    @Test func aTruncatedAnswerKeepsItsUsage() {
        let facts = CompletionBodyFacts(body: Array(Self.bodies[0].utf8), clientSetMaxTokens: false)
        #expect(facts == CompletionBodyFacts(usage: TokenUsage(prompt: 12, completion: 4096, cached: nil, reasoning: nil),
                                             truncation: .tokenLimit))
    }
}
