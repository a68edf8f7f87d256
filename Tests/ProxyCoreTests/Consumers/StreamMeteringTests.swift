import Testing
@testable import ProxyCore

/// What a stream's metering reads: the generated text of each event, event boundaries, and the
/// clean ending of a cut stream.
@Suite struct StreamMeteringTests {
    static func textBytes(_ payload: String) -> Int {
        Array(payload.utf8).withUnsafeBytes { GeneratedText.bytes(in: $0) }
    }

    @Test func generatedTextIsTheStringValuesOfTheTextMembersAtAnyDepth() {
        #expect(Self.textBytes(#"{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}"#) == 5)
        #expect(Self.textBytes(#"{"choices":[{"delta":{"reasoning_content":"abc","content":null}}]}"#) == 3)
        #expect(Self.textBytes(#"{"choices":[{"delta":{"tool_calls":[{"function":{"name":"f","arguments":"{\"a\":1}"}}]}}]}"#) == 9)
        #expect(Self.textBytes(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text" : "Hi there"}}"#) == 8)
        #expect(Self.textBytes(#"{"choices":[{"text":"ok","index":0}]}"#) == 2)
        #expect(Self.textBytes(#"{"model":"content","text_x":"zzz","id":"text"}"#) == 0, "keys, not values, are looked for")
        #expect(Self.textBytes(#"{"content":"unterminated"#) == 12)
        #expect(Self.textBytes("") == 0)
    }

    @Test func theFilterCountsOutputOnlyWhenAskedAndKnowsWhereEventsEnd() {
        let events = #"data: {"choices":[{"delta":{"content":"abcd"}}]}"# + "\n\n" + #"data: {"choices":[{"delta":{"content":"efgh"}}]}"# + "\n\n"
        var counting = UsageStreamFilter(stripsUsage: false, countsOutput: true)
        var plain = UsageStreamFilter(stripsUsage: false)
        var boundaries: [Bool] = []
        for byte in Array(events.utf8) {
            [byte].withUnsafeBytes { counting.feed($0) { _ in } }
            [byte].withUnsafeBytes { plain.feed($0) { _ in } }
            boundaries.append(counting.atEventBoundary)
        }
        #expect(counting.outputTextBytes == 8 && plain.outputTextBytes == 0)
        #expect(boundaries.enumerated().filter { $0.element }.map(\.offset) == [events.utf8.count / 2 - 1, events.utf8.count - 1],
                "only after each blank line")
    }

    @Test func theEndingOfACutStreamHasTheShapeOfItsAPI() {
        let chat = String(decoding: StreamCutEnding.bytes(.chat, id: "r1", model: "m", created: 5, code: "insufficient_quota", message: "spent"),
                          as: UTF8.self)
        #expect(chat == #"data: {"id":"r1","object":"chat.completion.chunk","created":5,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#
            + "\n\nevent: error\n" + #"data: {"error":{"message":"spent","type":"rate_limit_error","param":null,"code":"insufficient_quota"}}"#
            + "\n\ndata: [DONE]\n\n")
        let messages = String(decoding: StreamCutEnding.bytes(.messages, id: "r1", model: "m", created: 5, code: "insufficient_quota", message: "spent"),
                              as: UTF8.self)
        #expect(messages.contains(#""stop_reason":"max_tokens""#) && messages.hasSuffix("event: message_stop\n" + #"data: {"type":"message_stop"}"# + "\n\n"))
        #expect(StreamCutEnding.Shape(path: "/v1/completions") == .completion)
        #expect(StreamCutEnding.Shape(path: "/openai/v1/chat/completions") == .chat)
        #expect(StreamCutEnding.Shape(path: "/v1/messages") == .messages)
    }

    @Test func onlyACommittedStreamCanBeCut() {
        var machine = SessionStateMachine()
        #expect(machine.streamCut() == .none)
    }
}
