import ProxyCore

/// Phase 4, inspect: reads what routing and accounting need from a JSON body — `model` (and
/// where its value sits, for the rewrite), `stream`, the client's token limit —
/// without decoding or re-encoding the rest. An empty body is fine (`GET /v1/models`).
enum InspectPhase {
    private static let keys: [[UInt8]] = [Array("model".utf8), Array("stream".utf8),
                                          Array("max_tokens".utf8), Array("max_completion_tokens".utf8)]

    static func run(body: [UInt8], context: inout RequestContext) -> PhaseResult {
        guard !body.isEmpty else { return .next }
        switch JSONFieldScanner.scanTopLevel(body, keys: keys) {
        case .success(let ranges):
            if let range = ranges[0] {
                guard let model = JSONFieldScanner.decodeString(body, at: range) else {
                    return .answer(LocalAnswer(status: 400, code: "invalid_model", message: "model must be a string"))
                }
                context.clientModel = model
                context.modelRange = range
            }
            if let range = ranges[1] { context.streamRequested = JSONFieldScanner.decodeBool(body, at: range) ?? false }
            context.clientSetMaxTokens = ranges[2] != nil || ranges[3] != nil
            if let range = ranges[3] ?? ranges[2] { context.maxTokens = JSONFieldScanner.decodeInt(body, at: range) }
            return .next
        case .failure(let error):
            return .answer(LocalAnswer(status: 400, code: "invalid_json", message: "the request body is not valid JSON: \(error)"))
        }
    }
}
