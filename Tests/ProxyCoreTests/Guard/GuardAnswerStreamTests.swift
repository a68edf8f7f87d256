import Testing
@testable import ProxyCore

/// The response guard on OpenAI chat streams and whole answers.
@Suite struct GuardAnswerStreamTests {
    static let policy = GuardPolicy(GuardConfig(name: "g", rules: [
        GuardRuleConfig(name: "leak", phase: .response, keywords: ["project phoenix", "凤凰计划"], action: .block(message: "Withheld.")),
        GuardRuleConfig(name: "pii", phase: .both, detectors: [.email], action: .redact(replacement: "[email]")),
        GuardRuleConfig(name: "prompt-only", phase: .request, keywords: ["hello"], action: .block(message: "x")),
    ]))

    /// An OpenAI stream whose deltas are `deltas`, with a finish chunk and `[DONE]`.
    static func stream(_ deltas: [String]) -> [UInt8] {
        var out: [UInt8] = Array(#"data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#.utf8) + Array("\n\n".utf8)
        for delta in deltas {
            var token: [UInt8] = []
            JSONWriter.appendString(delta, to: &token)
            out += Array(#"data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"#.utf8)
            out += token + Array("},\"finish_reason\":null}]}\n\n".utf8)
        }
        out += Array(#"data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8) + Array("\n\n".utf8)
        out += Array("data: [DONE]\n\n".utf8)
        return out
    }

    /// Feeds `bytes` cut every `piece` bytes, then finishes; returns the output and the findings.
    static func run(_ bytes: [UInt8], piece: Int) -> (output: [UInt8], findings: [GuardFinding], blocked: Int?) {
        var filter = GuardAnswerStream(policy: policy)
        var output: [UInt8] = []
        var findings: [GuardFinding] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            findings += bytes[start..<end].withUnsafeBytes { filter.feed($0) { output += $0 } }
            start = end
        }
        findings += filter.finish { output += $0 }
        return (output, findings, filter.blockedRule)
    }

    /// The content of every chunk concatenated, and the finish reasons, parsed from the output.
    static func parse(_ output: [UInt8]) throws -> (content: String, finishReasons: [String], done: Bool) {
        var parser = SSEParser()
        var content = ""
        var reasons: [String] = []
        var done = false
        for case .event(let event) in try parser.feed(output) {
            if event.data == Array("[DONE]".utf8) { done = true; continue }
            let value = try JSONParser.parse(event.data)
            guard case .object(let chunk) = value, case .array(let choices)? = chunk["choices"] else { continue }
            for case .object(let choice) in choices {
                if case .object(let delta)? = choice["delta"], case .string(let text)? = delta["content"] { content += text }
                if case .string(let reason)? = choice["finish_reason"] { reasons.append(reason) }
            }
        }
        return (content, reasons, done)
    }

    @Test func aStreamWithNothingToFindPassesByteForByteHoweverItIsCut() {
        let deltas = (0..<4000).map { "Token \($0) of a long and harmless answer, 项目进展顺利. " }
        let bytes = Self.stream(deltas)
        #expect(bytes.count > 1_000_000 / 4)
        for piece in [1, 7, 100, 4096, bytes.count] {
            let result = Self.run(bytes, piece: piece)
            #expect(result.output == bytes, "cut every \(piece) bytes")
            #expect(result.findings.isEmpty)
        }
    }

    @Test(arguments: [2, 3, 10])
    func aKeywordSplitOverDeltasBlocksWithASafeEnding(pieces: Int) throws {
        let keyword = "Project Phoenix"
        let cuts = GuardTestSupport.evenCuts(keyword.utf8.count, pieces: pieces)
        let bytes = Array(keyword.utf8)
        var parts: [String] = []
        var start = 0
        for cut in cuts + [bytes.count] {
            parts.append(String(decoding: bytes[start..<cut], as: UTF8.self))
            start = cut
        }
        let deltas = ["The plan is called "] + parts + [" and it launches soon."]
        for piece in [1, 50, 100_000] {
            let result = Self.run(Self.stream(deltas), piece: piece)
            let parsed = try Self.parse(result.output)
            #expect(parsed.content == "The plan is called Withheld.")
            #expect(parsed.finishReasons == ["content_filter"])
            #expect(parsed.done)
            #expect(result.blocked == 0)
            #expect(result.findings.map(\.rule) == [0])
            #expect(!String(decoding: result.output, as: UTF8.self).contains("Phoenix"))
        }
    }

    @Test func aChineseKeywordSplitOverDeltasAndReceiveBoundariesBlocks() throws {
        // Each delta holds whole characters (JSON strings do); the receive cuts fall anywhere, mid-character too.
        let result = Self.run(Self.stream(["关于凤", "凰计", "划的事"]), piece: 13)
        let parsed = try Self.parse(result.output)
        #expect(parsed.content == "关于Withheld.")
        #expect(parsed.finishReasons == ["content_filter"])
    }

    @Test func redactionHappensAcrossDeltasAndHeldTextComesOutBeforeTheFinish() throws {
        let result = Self.run(Self.stream(["Write to jane", ".doe@exa", "mple.com", " today"]), piece: 1000)
        let parsed = try Self.parse(result.output)
        #expect(parsed.content == "Write to [email] today")
        #expect(parsed.finishReasons == ["stop"])
        #expect(result.findings == [GuardFinding(rule: 1, matcher: "email", matchedBytes: 20)])
        // An address at the very end is held until the finish chunk, then redacted.
        let tail = try Self.parse(Self.run(Self.stream(["mail jane.doe@example.com"]), piece: 1000).output)
        #expect(tail.content == "mail [email]")
        #expect(tail.finishReasons == ["stop"])
    }

    @Test func aStreamCutOffWithoutFinishStillGetsWhatWasHeld() throws {
        let whole = String(decoding: Self.stream(["ends with bob@example.org"]), as: UTF8.self)
        // Everything from the finish chunk on is lost.
        let bytes = Array(whole[..<whole.range(of: #"data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{},"#)!.lowerBound].utf8)
        let result = Self.run(bytes, piece: 1000)
        #expect(try Self.parse(result.output).content.hasSuffix("[email]"))
    }

    @Test func wholeAnswersAreRedactedOrReplacedOnABlock() throws {
        let body = Array(#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Contact a@b.io"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}"#.utf8)
        let redacted = Self.policy.checkAnswer(body)
        #expect(redacted.body.map { String(decoding: $0, as: UTF8.self) } == #"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Contact [email]"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}"#)
        let leak = Array(#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"It is PROJECT PHOENIX."},"finish_reason":"stop"}]}"#.utf8)
        let blocked = Self.policy.checkAnswer(leak)
        #expect(blocked.block == 0)
        #expect(blocked.body.map { String(decoding: $0, as: UTF8.self) } == #"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Withheld."},"finish_reason":"content_filter"}]}"#)
        #expect(Self.policy.checkAnswer(Array(#"{"choices":[{"message":{"content":"hello"}}]}"#.utf8)).body == nil, "request-only rules do not run")
    }

    /// A reasoning model's chunk with `reasoning_content` instead of `content`.
    static func reasoningChunk(_ text: String) -> [UInt8] {
        var token: [UInt8] = []
        JSONWriter.appendString(text, to: &token)
        return Array(#"data: {"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"reasoning_content":"#.utf8)
            + token + Array("},\"finish_reason\":null}]}\n\n".utf8)
    }

    @Test func reasoningContentIsCheckedLikeContentWithItsOwnScanner() throws {
        // Redacted across reasoning deltas; held reasoning comes out as reasoning before the answer.
        var bytes = Self.reasoningChunk("Write to jane") + Self.reasoningChunk(".doe@example.com")
        bytes += Self.stream(["Done."])
        let result = Self.run(bytes, piece: 1000)
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(text.contains(#""reasoning_content":"Write to ""#) && text.contains(#""reasoning_content":"[email]""#))
        #expect(!text.contains("jane"))
        #expect(try Self.parse(result.output).content == "Done.")
        // A keyword split between reasoning deltas blocks the whole answer.
        let leak = Self.run(Self.reasoningChunk("the Project ") + Self.reasoningChunk("Phoenix files") + Self.stream(["ok"]), piece: 7)
        let parsed = try Self.parse(leak.output)
        #expect(leak.blocked == 0 && parsed.content == "Withheld." && parsed.finishReasons == ["content_filter"])
        #expect(!String(decoding: leak.output, as: UTF8.self).contains("Phoenix"))
        // Whole answers: a block withholds the reasoning too.
        let whole = Array(#"{"choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"think of project phoenix","content":"fine"},"finish_reason":"stop"}]}"#.utf8)
        #expect(Self.policy.checkAnswer(whole).body.map { String(decoding: $0, as: UTF8.self) }
                == #"{"choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"","content":"Withheld."},"finish_reason":"content_filter"}]}"#)
    }

    @Test func anthropicStreamsAreRedactedAcrossDeltasAndHeldTextIsFlushedBeforeTheBlockStops() throws {
        func delta(_ text: String) -> String {
            var token: [UInt8] = []
            JSONWriter.appendString(text, to: &token)
            return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\(String(decoding: token, as: UTF8.self))}}\n\n"
        }
        let stream = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[]}}\n\n"
            + delta("mail jane") + delta(".doe@example.com") + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        var filter = GuardAnswerStream(policy: Self.policy, shape: .anthropicMessages)
        var output: [UInt8] = []
        let findings = Array(stream.utf8).withUnsafeBytes { filter.feed($0) { output += $0 } } + filter.finish { output += $0 }
        var parser = SSEParser()
        var text = ""
        var names: [String] = []
        for case .event(let event) in try parser.feed(output) {
            names.append(String(decoding: event.name ?? [], as: UTF8.self))
            guard case .object(let object) = try JSONParser.parse(event.data), case .object(let delta)? = object["delta"],
                  case .string(let piece)? = delta["text"] else { continue }
            text += piece
        }
        #expect(text == "mail [email]")
        #expect(names == ["message_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
        #expect(findings.map(\.rule) == [1])
    }

    @Test func wholeAnthropicAnswersAreWithheldWholeWhenAnyBlockIsBlocked() {
        // A message's blocks are one answer: the message goes in the first text block, thinking is emptied.
        let body = Array(#"{"id":"m","type":"message","content":[{"type":"thinking","thinking":"recall project phoenix","signature":"s"},{"type":"text","text":"ok"},{"type":"text","text":"more"}],"stop_reason":"end_turn"}"#.utf8)
        let checked = Self.policy.checkAnswer(body)
        #expect(checked.body.map { String(decoding: $0, as: UTF8.self) } == #"{"id":"m","type":"message","content":[{"type":"thinking","thinking":"","signature":"s"},{"type":"text","text":"Withheld."},{"type":"text","text":""}],"stop_reason":"refusal"}"#)
        #expect(checked.findings.map(\.rule) == [0])
    }

    @Test func wholeAnthropicThinkingIsRedactedInPlace() {
        let body = Array(#"{"id":"m","type":"message","content":[{"type":"thinking","thinking":"mail a@example.com"},{"type":"text","text":"ok"}],"stop_reason":"end_turn"}"#.utf8)
        #expect(Self.policy.checkAnswer(body).body.map { String(decoding: $0, as: UTF8.self) }
                == #"{"id":"m","type":"message","content":[{"type":"thinking","thinking":"mail [email]"},{"type":"text","text":"ok"}],"stop_reason":"end_turn"}"#)
    }

    @Test func blockRepliesAreNormalCompletions() throws {
        let json = String(decoding: GuardBlockReply.body(.openAIChat, message: "No \"way\".", id: "r1", created: 5, stream: false), as: UTF8.self)
        #expect(json == #"{"id":"chatcmpl-guard-r1","object":"chat.completion","created":5,"model":"sluice-guard","choices":[{"index":0,"message":{"role":"assistant","content":"No \"way\"."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}}"#)
        let stream = try Self.parse(GuardBlockReply.body(.openAIChat, message: "No.", id: "r1", created: 5, stream: true))
        #expect(stream.content == "No." && stream.finishReasons == ["stop"] && stream.done)
        let anthropic = try JSONParser.parse(GuardBlockReply.body(.anthropicMessages, message: "No.", id: "r1", created: 5, stream: false))
        guard case .object(let message) = anthropic else { Issue.record("not an object"); return }
        #expect(message["model"] == .string("sluice-guard") && message["stop_reason"] == .string("end_turn"))
        var parser = SSEParser()
        let events = try parser.feed(GuardBlockReply.body(.anthropicMessages, message: "No.", id: "r1", created: 5, stream: true))
        #expect(events.count == 6)
    }
}
