import Testing
@testable import ProxyCore

/// Answers in both forms: a stream reassembled, a JSON body rendered as a stream, and back.
@Suite struct CachedChatCompletionTests {
    static func sse(_ events: [String]) -> [UInt8] {
        Array(events.map { "data: \($0)\n\n" }.joined().utf8)
    }

    static let chunk = #"{"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o","choices":[{"index":0,"delta":"#
    static let stream = sse([
        chunk + #"{"role":"assistant","content":""},"finish_reason":null}]}"#,
        chunk + #"{"content":"Hel"},"finish_reason":null}]}"#,
        chunk + #"{"content":"lo"},"finish_reason":null}]}"#,
        chunk + #"{},"finish_reason":"stop"}]}"#,
        #"{"id":"c1","object":"chat.completion.chunk","created":7,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#,
        "[DONE]",
    ])

    @Test func aStreamIsReassembledIntoOneCompletion() throws {
        let completion = try #require(CachedChatCompletion(stream: Self.stream))
        #expect(completion.choices.count == 1)
        #expect(completion.choices[0].content == "Hello")
        #expect(completion.choices[0].finishReason == .string("stop"))
        let body = String(decoding: JSONWriter.write(completion.json()), as: UTF8.self)
        #expect(body == #"{"id":"c1","object":"chat.completion","created":7,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#)
    }

    @Test func toolCallArgumentsAreJoinedPerCall() throws {
        let stream = Self.sse([
            Self.chunk + #"{"role":"assistant","tool_calls":[{"index":0,"id":"t1","type":"function","function":{"name":"f","arguments":"{\"a\""}}]},"finish_reason":null}]}"#,
            Self.chunk + #"{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":null}]}"#,
            Self.chunk + #"{},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ])
        let completion = try #require(CachedChatCompletion(stream: stream))
        #expect(completion.choices[0].toolCalls == [{
            var call = CachedChatCompletion.ToolCall(index: 0)
            call.id = "t1"
            call.type = "function"
            call.name = "f"
            call.arguments = #"{"a":1}"#
            return call
        }()])
    }

    @Test func aCutStreamOrAnotherShapeIsNoCompletion() {
        var cut = Self.stream
        cut.removeLast("data: [DONE]\n\n".utf8.count)
        #expect(CachedChatCompletion(stream: cut) == nil)
        #expect(CachedChatCompletion(stream: Self.sse([#"{"type":"message_start"}"#, "[DONE]"])) == nil)
    }

    @Test func aJSONAnswerRendersAsAStreamThatReassemblesToTheSameCompletion() throws {
        let body = #"{"id":"c2","object":"chat.completion","created":9,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#
        let completion = try #require(CachedChatCompletion(completion: try JSONParser.parse(body)))
        #expect(String(decoding: JSONWriter.write(completion.json()), as: UTF8.self) == body)
        let withUsage = completion.eventStream(includeUsage: true)
        #expect(try #require(CachedChatCompletion(stream: withUsage)) == completion)
        let text = String(decoding: withUsage, as: UTF8.self)
        #expect(text.hasSuffix("data: [DONE]\n\n"))
        #expect(text.contains(#""choices":[],"usage":{"prompt_tokens":3"#))
        let withoutUsage = String(decoding: completion.eventStream(includeUsage: false), as: UTF8.self)
        #expect(!withoutUsage.contains("usage"))
    }

    @Test func storeRulesRefuseTruncationToolCallsChoicesAndLogprobs() {
        let config = RouteCacheConfig()
        func verdict(_ reason: String, extra: String = "", choices: Int = 1, maxTokens: Bool = false,
                     _ config: RouteCacheConfig = RouteCacheConfig()) -> CacheStoreRule.Refusal? {
            let choice = #"{"index":0,"message":{"role":"assistant","content":"x"\#(extra)},"logprobs":null,"finish_reason":"\#(reason)"}"#
            let body = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[\#(Array(repeating: choice, count: choices).joined(separator: ","))]}"#
            if case .failure(let refusal) = CacheStoreRule.check(.json, body: Array(body.utf8), config: config, clientSetMaxTokens: maxTokens) {
                return refusal
            }
            return nil
        }
        #expect(verdict("stop") == nil)
        #expect(verdict("length") == .truncated)
        #expect(verdict("length", maxTokens: true) == nil, "the client asked for the limit")
        #expect(verdict("tool_calls", extra: #","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]"#) == .toolCalls)
        #expect(verdict("tool_calls", extra: #","tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]"#,
                        RouteCacheConfig(allowToolCalls: true)) == nil)
        #expect(verdict("stop", choices: 2) == .multipleChoices)
        #expect(verdict("stop", choices: 2, RouteCacheConfig(allowMultipleChoices: true)) == nil)
        let logprobs = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"logprobs":{"content":[]},"finish_reason":"stop"}]}"#
        guard case .failure(.logprobs) = CacheStoreRule.check(.json, body: Array(logprobs.utf8), config: config, clientSetMaxTokens: false) else {
            Issue.record("logprobs stored")
            return
        }
    }

    @Test func aCompleteStreamIsStoredWithItsUsageAndACutOneIsNot() {
        guard case .success(let usage) = CacheStoreRule.check(.eventStream, body: Self.stream, config: RouteCacheConfig(),
                                                              clientSetMaxTokens: false) else {
            Issue.record("refused a complete stream")
            return
        }
        #expect(usage == TokenUsage(prompt: 5, completion: 2))
        var cut = Self.stream
        cut.removeLast(8)
        guard case .failure(.unsupportedStream) = CacheStoreRule.check(.eventStream, body: cut, config: RouteCacheConfig(),
                                                                      clientSetMaxTokens: false) else {
            Issue.record("stored a cut stream")
            return
        }
    }

    @Test func otherJSONShapesFollowTheRulesThatApply() {
        let anthropic = #"{"type":"message","content":[{"type":"text","text":"x"}],"stop_reason":"max_tokens","usage":{"input_tokens":1,"output_tokens":1}}"#
        guard case .failure(.truncated) = CacheStoreRule.check(.json, body: Array(anthropic.utf8), config: RouteCacheConfig(),
                                                                clientSetMaxTokens: false) else {
            Issue.record("stored a truncated Anthropic answer")
            return
        }
        let embeddings = #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1]}],"usage":{"prompt_tokens":2,"total_tokens":2}}"#
        guard case .success(let usage) = CacheStoreRule.check(.json, body: Array(embeddings.utf8), config: RouteCacheConfig(),
                                                               clientSetMaxTokens: false) else {
            Issue.record("refused embeddings")
            return
        }
        #expect(usage.prompt == 2)
    }
}
