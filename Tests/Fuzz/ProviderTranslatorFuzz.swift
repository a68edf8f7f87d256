// fuzz-sources: Sources/ProxyCore
// libFuzzer target for the provider translators (Sources/ProxyCore/Providers). For any input:
// 1. the request and answer translators, both directions, either give a JSON object or a
//    `ProviderTranslationError`;
// 2. the error-body translators, and the data plane's whole-answer translation
//    (`AnswerTranslator.translate`, any status, both directions), always give a JSON object;
// 3. both stream translators give the same bytes and outcome fed whole, split at two
//    data-derived points, or (when short) one byte at a time, and their output is a
//    well-formed event stream whose events are each a JSON object or `[DONE]`.

func isJSONObject(_ bytes: [UInt8]) -> Bool {
    guard case .object? = try? JSONParser.parse(bytes) else { return false }
    return true
}

/// Runs the Anthropic → OpenAI stream translator (`toOpenAI`) or the reverse on `input` cut at `cuts`.
func translateStream(_ input: UnsafeRawBufferPointer, cuts: [Int], toOpenAI: Bool, includeUsage: Bool, maxEventBytes: Int) -> ([UInt8], String) {
    var toOpenAITranslator = AnthropicStreamToOpenAI(created: 1, includeUsage: includeUsage, maxEventBytes: maxEventBytes)
    var toAnthropicTranslator = OpenAIStreamToAnthropic(maxEventBytes: maxEventBytes)
    var output: [UInt8] = []
    var start = 0
    for cut in cuts + [input.count] {
        let piece = UnsafeRawBufferPointer(rebasing: input[start..<cut])
        if toOpenAI { toOpenAITranslator.feed(piece, into: &output) } else { toAnthropicTranslator.feed(piece, into: &output) }
        start = cut
    }
    return (output, toOpenAI ? "\(toOpenAITranslator.finish())" : "\(toAnthropicTranslator.finish())")
}

func checkEventStream(_ output: [UInt8]) {
    var parser = SSEParser()
    guard let items = try? parser.feed(output) else { preconditionFailure("the output is not an event stream") }
    precondition(parser.finish() == .complete, "the output ends inside an event")
    for case .event(let event) in items where event.data != Array("[DONE]".utf8) {
        precondition(isJSONObject(event.data), "an output event is not a JSON object")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let bytes = Array(input)
    let seed = size > 0 ? Int(input[0]) &* 31 &+ Int(input[size - 1]) : 0

    if let translation = try? OpenAIToAnthropicRequest.translate(bytes, options: .init(defaultMaxTokens: 1 + seed % 8192)) {
        precondition(isJSONObject(translation.body), "request translation is not a JSON object")
    }
    if let answer = try? AnthropicToOpenAIResponse.translate(bytes, created: seed) {
        precondition(isJSONObject(answer), "answer translation is not a JSON object")
    }
    if let translation = try? AnthropicToOpenAIRequest.translate(bytes) {
        precondition(isJSONObject(translation.body), "reverse request translation is not a JSON object")
    }
    if let answer = try? OpenAIToAnthropicResponse.translate(bytes) {
        precondition(isJSONObject(answer), "reverse answer translation is not a JSON object")
    }
    let status = 400 + seed % 200
    precondition(isJSONObject(ProviderErrorBody.toOpenAI(status: status, body: bytes).body), "OpenAI error body is not JSON")
    precondition(isJSONObject(ProviderErrorBody.toAnthropic(status: status, body: bytes).body), "Anthropic error body is not JSON")
    for direction in [AttemptTranslation.openAIToAnthropic(defaultMaxTokens: 1), .anthropicToOpenAI] {
        for answerStatus in [200, status] {
            let whole = AnswerTranslator.translate(whole: bytes, status: answerStatus, direction: direction, created: seed)
            precondition(isJSONObject(whole.body), "a translated whole answer is not a JSON object")
        }
    }

    let includeUsage = seed % 2 == 0
    let maxEventBytes = seed % 3 == 0 ? 1 << 20 : 8 + seed % 300
    let first = size > 0 ? seed % (size + 1) : 0
    let second = size > 0 ? first + (seed / 7) % (size - first + 1) : 0
    for toOpenAI in [true, false] {
        let whole = translateStream(input, cuts: [], toOpenAI: toOpenAI, includeUsage: includeUsage, maxEventBytes: maxEventBytes)
        let split = translateStream(input, cuts: [first, second], toOpenAI: toOpenAI, includeUsage: includeUsage, maxEventBytes: maxEventBytes)
        precondition(whole == split, "split at \(first), \(second) changed the stream output")
        if size <= 512 {
            let bytewise = translateStream(input, cuts: Array(0..<size), toOpenAI: toOpenAI, includeUsage: includeUsage, maxEventBytes: maxEventBytes)
            precondition(whole == bytewise, "one byte at a time changed the stream output")
        }
        checkEventStream(whole.0)
    }
    return 0
}
