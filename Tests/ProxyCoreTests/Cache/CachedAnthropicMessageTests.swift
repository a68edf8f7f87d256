import Testing
@testable import ProxyCore

/// Anthropic messages in the cache: a stream reassembled into the message Anthropic would have
/// sent as JSON, a message rendered as the events Anthropic streams, and the store rules.
@Suite struct CachedAnthropicMessageTests {
    static func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }

    static let stream = [
        event("message_start", #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}"#),
        event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig=="}}"#),
        event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        event("ping", #"{"type":"ping"}"#),
        event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":", world"}}"#),
        event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
        event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"#),
        event("message_stop", #"{"type":"message_stop"}"#),
    ].joined()

    static let message = #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"thinking","thinking":"Let me think.","signature":"sig=="},{"type":"text","text":"Hello, world"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":15}}"#

    @Test func aStreamIsReassembledIntoTheMessageAnthropicWouldHaveSent() throws {
        let message = try #require(CachedAnthropicMessage(stream: Array(Self.stream.utf8)))
        #expect(message.json() == (try JSONParser.parse(Array(Self.message.utf8))))
        #expect(!message.callsTools)
    }

    @Test func aMessageRenderedAsAStreamReadsBackAsTheSameMessage() throws {
        let message = try #require(CachedAnthropicMessage(message: try JSONParser.parse(Array(Self.message.utf8))))
        let events = message.eventStream()
        let text = String(decoding: events, as: UTF8.self)
        #expect(text.hasPrefix("event: message_start\ndata: "))
        #expect(text.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
        #expect(CachedAnthropicMessage(stream: events) == message)
    }

    @Test func toolInputsAreParsedFromTheirFragmentsAndRenderedBack() throws {
        let stream = [
            Self.event("message_start", #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","model":"c","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}"#),
            Self.event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}}"#),
            Self.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}"#),
            Self.event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" \"Paris\"}"}}"#),
            Self.event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            Self.event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":9}}"#),
            Self.event("message_stop", #"{"type":"message_stop"}"#),
        ].joined()
        let message = try #require(CachedAnthropicMessage(stream: Array(stream.utf8)))
        guard case .object(let block) = message.content[0] else { Issue.record("no block"); return }
        #expect(block["input"] == .object(JSONObject([("city", .string("Paris"))])))
        #expect(message.callsTools)
        #expect(CachedAnthropicMessage(stream: message.eventStream()) == message)
        #expect(CacheStoreRule.check(.eventStream, body: Array(stream.utf8), config: RouteCacheConfig(), clientSetMaxTokens: true)
                == .failure(.toolCalls))
    }

    @Test func aCutStreamOrAnErrorEventIsNoMessage() {
        let cut = Self.stream.replacing(Self.event("message_stop", #"{"type":"message_stop"}"#), with: "")
        #expect(CachedAnthropicMessage(stream: Array(cut.utf8)) == nil)
        let failed = cut + Self.event("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
        #expect(CachedAnthropicMessage(stream: Array(failed.utf8)) == nil)
        #expect(CacheStoreRule.check(.eventStream, body: Array(cut.utf8), config: RouteCacheConfig(), clientSetMaxTokens: true)
                == .failure(.unsupportedStream))
    }

    @Test func aCompleteStreamIsStoredWithItsUsageAndServedInEitherForm() throws {
        let body = Array(Self.stream.utf8)
        let usage = try CacheStoreRule.check(.eventStream, body: body, config: RouteCacheConfig(), clientSetMaxTokens: true).get()
        #expect(usage.prompt == 25 && usage.completion == 15)
        let answer = CachedAnswer(form: .eventStream, body: body, usage: usage, storedAt: ProxyInstant(nanoseconds: 0))
        #expect(answer.rendered(asStream: true, includeUsage: false) == body, "the same form: the bytes as sent")
        let json = try #require(answer.rendered(asStream: false, includeUsage: false))
        #expect(try JSONParser.parse(json) == JSONParser.parse(Array(Self.message.utf8)))
        let fromJSON = CachedAnswer(form: .json, body: Array(Self.message.utf8), usage: usage, storedAt: ProxyInstant(nanoseconds: 0))
        let streamed = try #require(fromJSON.rendered(asStream: true, includeUsage: false))
        #expect(CachedAnthropicMessage(stream: streamed)?.json() == (try JSONParser.parse(Array(Self.message.utf8))))
    }

    @Test func aTruncatedMessageIsNotStoredWhenTheClientSetNoLimit() {
        let truncated = Self.stream.replacing(#""stop_reason":"end_turn""#, with: #""stop_reason":"max_tokens""#)
        #expect(CacheStoreRule.check(.eventStream, body: Array(truncated.utf8), config: RouteCacheConfig(), clientSetMaxTokens: false)
                == .failure(.truncated))
    }
}
