// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `GuardAnswerStream`: the input's text is cut into data-derived deltas of an
// OpenAI chat stream, with a response guard that blocks a keyword, redacts e-mail addresses and
// only logs another keyword. Checks, for any input:
// 1. the bytes the client gets and the decisions are the same however the stream's bytes are
//    split into receive pieces (whole, one byte at a time when short, random pieces);
// 2. without a block, the client's concatenated content is exactly what `GuardStreamScanner`
//    makes of the whole text (so how the text is cut into deltas changes nothing), and the stream
//    ends with the provider's finish chunk and `[DONE]`;
// 3. with a block, the content is a prefix of that plus the rule's message, the last chunk says
//    `content_filter`, and `[DONE]` follows.

let answerFuzzPolicy = GuardPolicy(GuardConfig(name: "fuzz", rules: [
    GuardRuleConfig(name: "leak", phase: .response, keywords: ["secret plan", "机密"], action: .block(message: "Withheld.")),
    GuardRuleConfig(name: "pii", phase: .response, detectors: [.email], action: .redact(replacement: "[email]")),
    GuardRuleConfig(name: "watch", phase: .response, keywords: ["acme"], action: .log),
]))

func answerFuzzStream(_ deltas: [String]) -> [UInt8] {
    var out: [UInt8] = []
    for delta in deltas {
        out += Array(#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"#.utf8)
        JSONWriter.appendString(delta, to: &out)
        out += Array("},\"finish_reason\":null}]}\n\n".utf8)
    }
    out += Array(#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8)
    out += Array("\n\ndata: [DONE]\n\n".utf8)
    return out
}

func answerFuzzRun(_ stream: [UInt8], cuts: [Int]) -> (output: [UInt8], findings: [GuardFinding]) {
    var filter = GuardAnswerStream(policy: answerFuzzPolicy)
    var output: [UInt8] = []
    var findings: [GuardFinding] = []
    var start = 0
    for cut in cuts + [stream.count] where cut >= start {
        findings += stream[start..<cut].withUnsafeBytes { filter.feed($0) { output += $0 } }
        start = cut
    }
    findings += filter.finish { output += $0 }
    return (output, findings)
}

/// The concatenated content, the finish reasons and whether `[DONE]` ended the output.
func answerFuzzParse(_ output: [UInt8]) -> (content: [UInt8], reasons: [String], done: Bool) {
    var parser = SSEParser()
    guard let items = try? parser.feed(output) else { preconditionFailure("the output is not an event stream") }
    var content: [UInt8] = []
    var reasons: [String] = []
    var done = false
    for case .event(let event) in items {
        precondition(!done, "an event after [DONE]")
        if event.data == Array("[DONE]".utf8) { done = true; continue }
        guard case .object(let chunk)? = try? JSONParser.parse(event.data), case .array(let choices)? = chunk["choices"],
              case .object(let choice)? = choices.first else { preconditionFailure("a chunk the guard wrote is not valid") }
        if case .object(let delta)? = choice["delta"], case .string(let text)? = delta["content"] { content += text.utf8 }
        if case .string(let reason)? = choice["finish_reason"] { reasons.append(reason) }
    }
    return (content, reasons, done)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let scalars = Array(String(decoding: input, as: UTF8.self).unicodeScalars)
    var random = SplitMix64(seed: size > 0 ? UInt64(input[0]) &* 131 &+ UInt64(size) : 1)
    var deltas: [String] = []
    var position = 0
    while position < scalars.count {
        let end = min(scalars.count, position + 1 + Int(random.next() % 9))
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[position..<end])
        deltas.append(String(view))
        position = end
    }
    let text = Array(deltas.joined().utf8)
    let stream = answerFuzzStream(deltas)

    let whole = answerFuzzRun(stream, cuts: [])
    var cuts: [Int] = []
    var cut = 0
    while cut < stream.count {
        cut += 1 + Int(random.next() % 40)
        cuts.append(min(cut, stream.count))
    }
    let pieces = answerFuzzRun(stream, cuts: cuts)
    precondition(whole.output == pieces.output && whole.findings == pieces.findings, "receive pieces \(cuts) changed the outcome")
    if stream.count <= 2048 {
        let bytes = answerFuzzRun(stream, cuts: Array(0..<stream.count))
        precondition(whole.output == bytes.output && whole.findings == bytes.findings, "one byte at a time changed the outcome")
    }

    let scanned = GuardStreamScanner.scan(text, rules: answerFuzzPolicy.response.scanRules)
    let parsed = answerFuzzParse(whole.output)
    precondition(parsed.done, "the stream does not end with [DONE]")
    if whole.findings.contains(where: { $0.rule == 0 }) {
        precondition(parsed.reasons == ["content_filter"], "a block must end with content_filter, got \(parsed.reasons)")
        let message = Array("Withheld.".utf8)
        precondition(parsed.content.count >= message.count && Array(parsed.content.suffix(message.count)) == message, "the message ends the content")
        let prefix = Array(parsed.content.dropLast(message.count))
        precondition(scanned.output.starts(with: prefix), "the text before a block is what the scanner let through")
    } else {
        precondition(parsed.content == scanned.output, "the content is not the scanned text")
        precondition(parsed.reasons == ["stop"], "the provider's finish reason is kept, got \(parsed.reasons)")
    }
    return 0
}
