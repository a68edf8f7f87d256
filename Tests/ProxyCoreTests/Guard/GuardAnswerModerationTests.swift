import Testing
@testable import ProxyCore

/// The moderation hook on streamed answers (`GuardModerationHold` inside `GuardAnswerStream`),
/// Anthropic thinking blocks, and the verdict cache.
@Suite struct GuardAnswerModerationTests {
    static func policy(window: Int, keywords: [String] = ["project phoenix"]) -> GuardPolicy {
        let url = (try? BackendURL.parse("http://moderation.local/v1/moderations").get())!
        return GuardPolicy(GuardConfig(name: "g", rules: [
            GuardRuleConfig(name: "leak", phase: .response, keywords: keywords, action: .block(message: "Withheld.")),
            GuardRuleConfig(name: "hook", phase: .both, moderation: GuardModerationConfig(url: url, streamWindow: window),
                            action: .block(message: "Flagged.")),
        ]))
    }

    static func text(_ calls: [[UInt8]]) -> [String] { calls.map { String(decoding: $0, as: UTF8.self) } }

    /// The texts of the call due now; fails the test when none is.
    static func call(_ filter: inout GuardAnswerStream, final: Bool) throws -> [[UInt8]] {
        let due = filter.nextModerationCall(final: final)
        return try #require(due)
    }

    @Test func textIsHeldUntilTheServiceAllowsItAndCallsComeEveryWindow() throws {
        var filter = GuardAnswerStream(policy: Self.policy(window: 16))
        var output: [UInt8] = []
        let bytes = GuardAnswerStreamTests.stream(["Hello there, ", "this is a long ", "answer."])
        // The role chunk passes at once: it carries no text.
        let firstEvent = bytes.firstIndex(of: UInt8(ascii: "\n"))! + 2
        _ = bytes[..<firstEvent].withUnsafeBytes { filter.feed($0) { output += $0 } }
        #expect(output == Array(bytes[..<firstEvent]))
        _ = bytes[firstEvent...].withUnsafeBytes { filter.feed($0) { output += $0 } }
        #expect(output == Array(bytes[..<firstEvent]), "nothing with text goes out before a verdict")
        let first = try Self.call(&filter, final: false)
        #expect(Self.text(first) == ["Hello there, this is a long answer."])
        #expect(filter.nextModerationCall(final: true) == nil, "one call at a time")
        filter.moderationAllowed { output += $0 }
        _ = filter.finish { output += $0 }
        #expect(output == bytes, "allowed: every byte, unchanged, in order")
        #expect(!filter.isAwaitingModeration)
    }

    @Test func theNextWindowGathersWhileACallIsInFlightAndThenPausesTheUpstream() throws {
        var filter = GuardAnswerStream(policy: Self.policy(window: 16))
        var output: [UInt8] = []
        let bytes = GuardAnswerStreamTests.stream(["0123456789abcdefgh", "ijklmnopqrstuvwxyz", "tail"])
        let events = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Array($0) + [10, 10] }
        _ = events[0].withUnsafeBytes { filter.feed($0) { output += $0 } }
        _ = events[1].withUnsafeBytes { filter.feed($0) { output += $0 } }
        #expect(Self.text(try Self.call(&filter, final: false)) == ["0123456789abcdefgh"])
        #expect(!filter.moderationWantsPause)
        _ = events[2].withUnsafeBytes { filter.feed($0) { output += $0 } }
        #expect(filter.moderationWantsPause, "a full window waits behind the call in flight")
        let released = output.count
        filter.moderationAllowed { output += $0 }
        #expect(output.count - released == events[1].count, "only the bytes the verdict covered")
        #expect(Self.text(try Self.call(&filter, final: false)) == ["ijklmnopqrstuvwxyz"])
        for event in events[3...] { _ = event.withUnsafeBytes { filter.feed($0) { output += $0 } } }
        _ = filter.finish { output += $0 }
        filter.moderationAllowed { output += $0 }
        #expect(Self.text(try Self.call(&filter, final: true)) == ["tail"])
        filter.moderationAllowed { output += $0 }
        #expect(output == bytes)
    }

    @Test func aFlaggedWindowIsNeverSentAndTheStreamEndsCleanly() throws {
        var filter = GuardAnswerStream(policy: Self.policy(window: 16))
        var output: [UInt8] = []
        let bytes = GuardAnswerStreamTests.stream(["Safe words go first. ", "Then something awful."])
        let events = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Array($0) + [10, 10] }
        for event in events[..<2] { _ = event.withUnsafeBytes { filter.feed($0) { output += $0 } } }
        _ = try Self.call(&filter, final: false)
        filter.moderationAllowed { output += $0 }
        for event in events[2...] { _ = event.withUnsafeBytes { filter.feed($0) { output += $0 } } }
        _ = try Self.call(&filter, final: true)
        filter.moderationBlocked(rule: 1) { output += $0 }
        let parsed = try GuardAnswerStreamTests.parse(output)
        #expect(parsed.content == "Safe words go first. Flagged.")
        #expect(parsed.finishReasons == ["content_filter"] && parsed.done)
        #expect(filter.blockedRule == 1)
        #expect(filter.finish { output += $0 }.isEmpty)
    }

    @Test func aRuleBlockInsideTheHoldWaitsForTheLastVerdict() throws {
        var filter = GuardAnswerStream(policy: Self.policy(window: 1000))
        var output: [UInt8] = []
        let bytes = GuardAnswerStreamTests.stream(["it is project ", "phoenix now"])
        _ = bytes.withUnsafeBytes { filter.feed($0) { output += $0 } }
        #expect(filter.blockedRule == 0)
        #expect(Self.text(try Self.call(&filter, final: true)) == ["it is "])
        filter.moderationAllowed { output += $0 }
        let parsed = try GuardAnswerStreamTests.parse(output)
        #expect(parsed.content == "it is Withheld." && parsed.finishReasons == ["content_filter"] && parsed.done)
    }

    @Test(arguments: [1, 7, 64, 1000])
    func anAlwaysAllowingServiceChangesNoByteHoweverTheStreamIsCut(piece: Int) {
        let deltas = (0..<60).map { "word \($0) with project " + ($0 % 7 == 0 ? "x " : "") + "mail a\($0)@example.com; 项目 " }
        let bytes = GuardAnswerStreamTests.stream(deltas)
        let rules = GuardRuleConfig(name: "pii", phase: .response, detectors: [.email], action: .redact(replacement: "[email]"))
        let plain = GuardPolicy(GuardConfig(name: "g", rules: [rules]))
        let url = (try? BackendURL.parse("http://m/v1/moderations").get())!
        let moderated = GuardPolicy(GuardConfig(name: "g", rules: [rules, GuardRuleConfig(
            name: "hook", phase: .response, moderation: GuardModerationConfig(url: url, streamWindow: 16), action: .block(message: "F"))]))
        func run(_ policy: GuardPolicy) -> (output: [UInt8], calls: [String]) {
            var filter = GuardAnswerStream(policy: policy)
            var output: [UInt8] = []
            var calls: [String] = []
            func answerDueCalls(final: Bool) {
                while let texts = filter.nextModerationCall(final: final) {
                    calls += Self.text(texts)
                    filter.moderationAllowed { output += $0 }
                }
            }
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + piece)
                _ = bytes[start..<end].withUnsafeBytes { filter.feed($0) { output += $0 } }
                answerDueCalls(final: false)
                start = end
            }
            _ = filter.finish { output += $0 }
            answerDueCalls(final: true)
            filter.releaseModerated { output += $0 }
            return (output, calls)
        }
        let reference = run(plain).output
        let (output, calls) = run(moderated)
        #expect(output == reference)
        #expect(calls.joined() == (try? GuardAnswerStreamTests.parse(reference).content), "every character sent once, in order")
    }

    // MARK: Anthropic

    static func anthropicEvent(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }

    static func anthropicDelta(_ index: Int, thinking: Bool, _ text: String) -> String {
        var token: [UInt8] = []
        JSONWriter.appendString(text, to: &token)
        let delta = thinking ? #"{"type":"thinking_delta","thinking":"# : #"{"type":"text_delta","text":"#
        return anthropicEvent("content_block_delta", #"{"type":"content_block_delta","index":\#(index),"delta":"# + delta
                              + String(decoding: token, as: UTF8.self) + "}}")
    }

    /// The text and thinking of an Anthropic stream, the event names, and the stop reason, as the SDK reads them.
    static func parseAnthropic(_ output: [UInt8]) throws -> (blocks: [String], names: [String], stopReason: String?) {
        var parser = SSEParser()
        var blocks: [String] = []
        var names: [String] = []
        var stop: String?
        for case .event(let event) in try parser.feed(output) {
            names.append(String(decoding: event.name ?? [], as: UTF8.self))
            guard case .object(let object) = try JSONParser.parse(event.data) else { continue }
            if object["type"] == .string("content_block_start"), case .number(let index)? = object["index"] {
                #expect(index.int == blocks.count, "a block starts at the next index")
                blocks.append("")
            }
            if case .object(let delta)? = object["delta"] {
                if case .string(let stopReason)? = delta["stop_reason"] { stop = stopReason }
                if case .number(let index)? = object["index"], let i = index.int {
                    if case .string(let piece)? = delta["text"] { blocks[i] += piece }
                    if case .string(let piece)? = delta["thinking"] { blocks[i] += piece }
                }
            }
        }
        return (blocks, names, stop)
    }

    static let anthropicStart = anthropicEvent("message_start", #"{"type":"message_start","message":{"id":"m","content":[]}}"#)
    static func blockStart(_ index: Int, _ type: String) -> String {
        anthropicEvent("content_block_start", #"{"type":"content_block_start","index":\#(index),"content_block":{"type":"\#(type)","\#(type)":""}}"#)
    }

    @Test func anthropicThinkingIsGuardedAcrossDeltasAndABlockThereEndsInATextBlock() throws {
        let policy = GuardPolicy(GuardConfig(name: "g", rules: [
            GuardRuleConfig(name: "leak", phase: .response, keywords: ["project phoenix"], action: .block(message: "Withheld.")),
        ]))
        let stream = Self.anthropicStart + Self.blockStart(0, "thinking") + Self.anthropicDelta(0, thinking: true, "let me recall proj")
            + Self.anthropicDelta(0, thinking: true, "ect phoenix details") + Self.anthropicEvent("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
        var filter = GuardAnswerStream(policy: policy, shape: .anthropicMessages)
        var output: [UInt8] = []
        let findings = Array(stream.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } }
        #expect(findings.map(\.rule) == [0])
        let parsed = try Self.parseAnthropic(output)
        #expect(parsed.blocks == ["let me recall ", "Withheld."])
        #expect(parsed.stopReason == "refusal")
        #expect(parsed.names.suffix(6) == ["content_block_stop", "content_block_start", "content_block_delta", "content_block_stop",
                                           "message_delta", "message_stop"])
    }

    @Test func anthropicThinkingHeldTextIsFlushedAsAThinkingDelta() throws {
        let policy = GuardPolicy(GuardConfig(name: "g", rules: [
            GuardRuleConfig(name: "pii", phase: .response, detectors: [.email], action: .redact(replacement: "[email]")),
        ]))
        let stream = Self.anthropicStart + Self.blockStart(0, "thinking") + Self.anthropicDelta(0, thinking: true, "write to a@b")
            + Self.anthropicEvent("content_block_stop", #"{"type":"content_block_stop","index":0}"#)
            + Self.blockStart(1, "text") + Self.anthropicDelta(1, thinking: false, "done")
            + Self.anthropicEvent("content_block_stop", #"{"type":"content_block_stop","index":1}"#)
            + Self.anthropicEvent("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#)
            + Self.anthropicEvent("message_stop", #"{"type":"message_stop"}"#)
        var filter = GuardAnswerStream(policy: policy, shape: .anthropicMessages)
        var output: [UInt8] = []
        _ = Array(stream.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } }
        _ = filter.finish { output += $0 }
        let parsed = try Self.parseAnthropic(output)
        #expect(parsed.blocks == ["write to a@b", "done"], "not an address (no top-level label): flushed as thinking before its stop")
        #expect(parsed.stopReason == "end_turn")
    }

    @Test func anthropicModerationBlockStartsATextBlockAfterTheReleasedOnes() throws {
        var filter = GuardAnswerStream(policy: Self.policy(window: 16), shape: .anthropicMessages)
        var output: [UInt8] = []
        let first = Self.anthropicStart + Self.blockStart(0, "text") + Self.anthropicDelta(0, thinking: false, "A harmless opening line. ")
        _ = Array(first.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } }
        _ = try Self.call(&filter, final: false)
        filter.moderationAllowed { output += $0 }
        let second = Self.anthropicEvent("content_block_stop", #"{"type":"content_block_stop","index":0}"#) + Self.blockStart(1, "text")
            + Self.anthropicDelta(1, thinking: false, "Something awful follows here.")
        _ = Array(second.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } }
        _ = try Self.call(&filter, final: false)
        filter.moderationBlocked(rule: 1) { output += $0 }
        let parsed = try Self.parseAnthropic(output)
        #expect(parsed.blocks == ["A harmless opening line. ", "", "Flagged."],
                "block 1 started before any of its text (so it went out): the message takes index 2")
        #expect(parsed.stopReason == "refusal" && parsed.names.last == "message_stop")
        #expect(parsed.names.filter { $0 == "content_block_start" }.count == parsed.names.filter { $0 == "content_block_stop" }.count,
                "every block the client saw start stops")
    }

    @Test func anthropicModerationBlockInsideAReleasedBlockStopsItBeforeTheRefusalsBlock() throws {
        var filter = GuardAnswerStream(policy: Self.policy(window: 16), shape: .anthropicMessages)
        var output: [UInt8] = []
        let first = Self.anthropicStart + Self.blockStart(0, "text") + Self.anthropicDelta(0, thinking: false, "A harmless opening line. ")
        _ = Array(first.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } }
        _ = try Self.call(&filter, final: false)
        filter.moderationAllowed { output += $0 }
        let second = Self.anthropicDelta(0, thinking: false, "Something awful follows here.")
        _ = Array(second.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } }
        _ = try Self.call(&filter, final: false)
        filter.moderationBlocked(rule: 1) { output += $0 }
        let parsed = try Self.parseAnthropic(output)
        #expect(parsed.blocks == ["A harmless opening line. ", "Flagged."])
        #expect(parsed.names == ["message_start", "content_block_start", "content_block_delta", "content_block_stop",
                                 "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
                "block 0 stops before the refusal's block 1 starts")
    }

    // MARK: Whole answers and the cache

    @Test func aFlaggedWholeAnswerIsWithheldLikeABlockedOne() {
        let body = Array(#"{"choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"hm","content":"awful"},"finish_reason":"stop"}]}"#.utf8)
        #expect(Self.policy(window: 16).blockedAnswer(body, rule: 1).map { String(decoding: $0, as: UTF8.self) }
                == #"{"choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"","content":"Flagged."},"finish_reason":"content_filter"}]}"#)
    }

    @Test func theCacheKeepsAnswersNotFailuresAndForgetsTheOldestWhenFull() {
        var cache = GuardModerationCache(capacity: 2)
        let a = GuardModerationCache.Key(url: "http://m", body: Array("a".utf8))
        let b = GuardModerationCache.Key(url: "http://m", body: Array("b".utf8))
        let c = GuardModerationCache.Key(url: "http://m", body: Array("c".utf8))
        #expect(GuardModerationCache.Key(url: "http://other", body: Array("a".utf8)) != a, "another service is another key")
        cache.store(.failed(kind: "timeout"), for: a)
        #expect(cache.verdict(for: a) == nil)
        cache.store(.flagged, for: a)
        cache.store(.allowed, for: b)
        #expect(cache.verdict(for: a) == .flagged && cache.verdict(for: b) == .allowed)
        cache.store(.allowed, for: c)
        #expect(cache.verdict(for: a) == nil && cache.verdict(for: c) == .allowed && cache.count == 2)
    }
}
