/// Decides whether a response was truncated: cut off at the token limit although the client
/// asked for no limit, or (streams) ended without the provider's end marker.
///
/// Whole bodies: `TruncationDetector.verdict(body:clientSetMaxTokens:)`. Streams: feed every
/// SSE event to `observe(_:)` as it passes (the `SSEParser` the data plane already runs), then
/// call `finish(streamEnd:)`. OpenAI (`finish_reason: "length"`, `data: [DONE]`) and Anthropic
/// (`stop_reason: "max_tokens"`, `event: message_stop`) shapes are both understood. A value
/// owned by one response on its event loop.
package struct TruncationDetector: Sendable {
    /// Whether the client's request set `max_tokens`, `max_completion_tokens` or
    /// `max_output_tokens`: then stopping at the limit is what it asked for.
    package let clientSetMaxTokens: Bool
    private var sawEndMarker = false
    private var sawFinishReason = false
    private var stoppedAtTokenLimit = false

    /// A detector for one response to a request that did (or did not) set a token limit.
    package init(clientSetMaxTokens: Bool) {
        self.clientSetMaxTokens = clientSetMaxTokens
    }

    /// Whether a request body sets a token limit (a non-null `max_tokens`,
    /// `max_completion_tokens` or `max_output_tokens`). False for a body that is not a JSON object.
    package static func clientSetsMaxTokens(requestBody: UnsafeRawBufferPointer) -> Bool {
        let keys: [[UInt8]] = [Array("max_tokens".utf8), Array("max_completion_tokens".utf8), Array("max_output_tokens".utf8)]
        guard case .success(let ranges) = JSONFieldScanner.scanTopLevel(requestBody, keys: keys) else { return false }
        return ranges.contains { range in
            range.map { JSONFieldScanner.valueKind(requestBody, at: $0) != .null } ?? false
        }
    }

    /// The verdict on a complete non-streaming body (a body that is not JSON counts as complete:
    /// it is not this detector's business).
    package static func verdict(body: UnsafeRawBufferPointer, clientSetMaxTokens: Bool) -> TruncationVerdict {
        var collector = FinishReasonCollector(buffer: body)
        do {
            try JSONSyntaxWalker.walk(body, maxDepth: 128, visitor: &collector)
        } catch {
            return .complete
        }
        return collector.stoppedAtTokenLimit && !clientSetMaxTokens ? .tokenLimit : .complete
    }

    /// `verdict(body:clientSetMaxTokens:)` on an array of bytes.
    package static func verdict(body: [UInt8], clientSetMaxTokens: Bool) -> TruncationVerdict {
        body.withUnsafeBytes { verdict(body: $0, clientSetMaxTokens: clientSetMaxTokens) }
    }

    /// Takes note of one event of the stream. Cheap: one pass over the event's data.
    package mutating func observe(_ event: SSEEvent) {
        if event.data.elementsEqual("[DONE]".utf8) || event.isNamed("message_stop") {
            sawEndMarker = true
            return
        }
        event.data.withUnsafeBytes { data in
            var collector = FinishReasonCollector(buffer: data)
            guard (try? JSONSyntaxWalker.walk(data, maxDepth: 64, visitor: &collector)) != nil else { return }
            if collector.isMessageStop { sawEndMarker = true }
            if collector.sawFinishReason { sawFinishReason = true }
            if collector.stoppedAtTokenLimit { stoppedAtTokenLimit = true }
        }
    }

    /// The verdict once the stream has ended; `streamEnd` is what `SSEParser.finish()` said.
    /// A stream is whole when it sent its end marker, or a finish reason and then stopped at
    /// an event boundary (some OpenAI-compatible servers omit `[DONE]`).
    package func finish(streamEnd: SSEParser.StreamEnd) -> TruncationVerdict {
        let ended = sawEndMarker || (sawFinishReason && streamEnd == .complete)
        guard ended else { return .cutOff }
        return stoppedAtTokenLimit && !clientSetMaxTokens ? .tokenLimit : .complete
    }
}
