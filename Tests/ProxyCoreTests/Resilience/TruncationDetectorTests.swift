import Testing
@testable import ProxyCore

extension ResilienceTests {
    @Suite struct TruncationDetectorTests {
        static func verdict(_ body: String, clientSet: Bool = false) -> TruncationVerdict {
            TruncationDetector.verdict(body: Array(body.utf8), clientSetMaxTokens: clientSet)
        }

        static func stream(_ text: String, clientSet: Bool = false) throws -> TruncationVerdict {
            var parser = SSEParser()
            var detector = TruncationDetector(clientSetMaxTokens: clientSet)
            for item in try parser.feed(Array(text.utf8)) {
                if case .event(let event) = item { detector.observe(event) }
            }
            return detector.finish(streamEnd: parser.finish())
        }

        @Test func anOpenAIAnswerCutAtTheLengthLimitIsTruncatedUnlessTheClientAskedForIt() {
            let body = #"{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"It was the best of"},"finish_reason":"length"}],"usage":{"completion_tokens":4096}}"#
            #expect(Self.verdict(body) == .tokenLimit)
            #expect(Self.verdict(body, clientSet: true) == .complete)
            #expect(Self.verdict(body.replacing(#""length""#, with: #""stop""#)) == .complete)
        }

        @Test func onlyTheFinishReasonOfAChoiceCounts() {
            // "finish_reason" elsewhere (inside content metadata, or at the top level) is not OpenAI's field.
            #expect(Self.verdict(#"{"finish_reason":"length","choices":[{"message":{"content":"x","finish_reason":"length"},"finish_reason":"stop"}]}"#) == .complete)
            #expect(Self.verdict(#"{"choices":[{"finish_reason":"stop"},{"finish_reason":"length"}]}"#) == .tokenLimit)
            #expect(Self.verdict(#"{"choices":[{"finish_reason":"len\u0067th"}]}"#) == .tokenLimit)
        }

        @Test func anAnthropicMessageStoppedAtMaxTokensIsTruncated() {
            #expect(Self.verdict(#"{"type":"message","content":[{"type":"text","text":"..."}],"stop_reason":"max_tokens"}"#) == .tokenLimit)
            #expect(Self.verdict(#"{"type":"message","stop_reason":"end_turn"}"#) == .complete)
        }

        @Test func bodiesThatAreNotJSONAreNotJudged() {
            #expect(Self.verdict("not json") == .complete)
            #expect(Self.verdict(#"{"choices":[{"finish_reason":"length"}"#) == .complete)
        }

        @Test func theClientsOwnTokenLimitIsRecognised() {
            func sets(_ body: String) -> Bool {
                Array(body.utf8).withUnsafeBytes { TruncationDetector.clientSetsMaxTokens(requestBody: $0) }
            }
            #expect(sets(#"{"model":"m","max_tokens":100}"#))
            #expect(sets(#"{"model":"m","max_completion_tokens":100}"#))
            #expect(sets(#"{"model":"m","max_output_tokens":100}"#))
            #expect(!sets(#"{"model":"m","max_tokens":null}"#))
            #expect(!sets(#"{"model":"m","messages":[{"max_tokens":5}]}"#))
            #expect(!sets("[1]"))
        }

        @Test func anOpenAIStreamWithDoneIsCompleteAndOneWithoutIsCutOff() throws {
            let chunks = #"data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"# + "\n\n"
            let final = #"data: {"choices":[{"delta":{},"finish_reason":"stop"}]}"# + "\n\n"
            #expect(try Self.stream(chunks + final + "data: [DONE]\n\n") == .complete)
            #expect(try Self.stream(chunks) == .cutOff)
            #expect(try Self.stream(chunks + #"data: {"choices":[{"delta":{"content":"#) == .cutOff)
            // Some servers omit [DONE]: a final finish_reason at an event boundary is enough.
            #expect(try Self.stream(chunks + final) == .complete)
        }

        @Test func anOpenAIStreamEndingAtTheLengthLimitIsTruncated() throws {
            let text = #"data: {"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}"# + "\n\n"
                + #"data: {"choices":[{"delta":{},"finish_reason":"length"}]}"# + "\n\n" + "data: [DONE]\n\n"
            #expect(try Self.stream(text) == .tokenLimit)
            #expect(try Self.stream(text, clientSet: true) == .complete)
        }

        @Test func anAnthropicStreamNeedsMessageStop() throws {
            let start = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
            let delta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"}}\n\n"
            let stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
            #expect(try Self.stream(start + delta + stop) == .tokenLimit)
            #expect(try Self.stream(start + delta.replacing("max_tokens", with: "end_turn") + stop) == .complete)
            #expect(try Self.stream(start) == .cutOff)
            // The type inside the data is enough, whatever the event line says.
            #expect(try Self.stream(start + "data: {\"type\":\"message_stop\"}\n\n") == .complete)
        }

        @Test func theVerdictSaysWhetherItIsATruncation() {
            #expect(TruncationVerdict.tokenLimit.isTruncated && TruncationVerdict.cutOff.isTruncated && !TruncationVerdict.complete.isTruncated)
        }
    }
}
