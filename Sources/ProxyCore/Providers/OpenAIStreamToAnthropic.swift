/// Translates an OpenAI-style `chat.completion.chunk` stream into Anthropic's Messages event
/// stream, incrementally: bytes in, in whatever pieces the network delivers, bytes out.
///
/// The output is the same however the input is split. The first chunk opens the message
/// (`message_start`, usage still 0); `reasoning_content` deltas (DeepSeek) go to a `thinking`
/// block, `content` deltas to a `text` block, each tool call to a `tool_use` block whose
/// arguments arrive as `input_json_delta`; a change of kind closes the open block
/// (`content_block_stop`) and opens the next. `[DONE]` closes the last block and sends
/// `message_delta` (stop reason, usage from the usage chunk) and `message_stop`. A chunk
/// `{"error":…}` becomes an `error` event and ends the stream; so does input that is not a
/// well-formed OpenAI stream, with an error naming the problem.
package struct OpenAIStreamToAnthropic: Sendable {
    /// How the stream ended, from `finish`.
    package enum Outcome: Hashable, Sendable {
        /// `[DONE]` arrived and `message_stop` was written.
        case complete
        /// The upstream sent an error chunk; it was passed on in Anthropic's shape.
        case upstreamError(message: String)
        /// The input was not a well-formed OpenAI stream; an error event was written.
        case malformed(ProviderTranslationError)
        /// The input ended before `[DONE]`: the client sees no `message_stop`.
        case truncated
    }

    private enum Block: Hashable, Sendable {
        case thinking, text
        case tool(openAIIndex: Int)
    }

    /// The token counts the stream reported (for accounting and prices).
    package private(set) var usage = OpenAIToAnthropicMapping.Usage()

    private var parser: SSEParser
    private var started = false
    private var ended: Outcome? = nil
    private var open: Block? = nil
    private var blockCount = 0
    private var finishReason: String? = nil

    package init(maxEventBytes: Int = 1 << 20) {
        parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    /// Translates the next bytes of the upstream stream, appending what they complete to `output`.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard ended == nil else { return }
        let parsed = parser.events(in: bytes)
        for event in parsed.events where ended == nil {
            do {
                try handle(event, into: &output)
            } catch {
                fail(.malformed(error), message: "the upstream stream could not be translated: \(error.message)", into: &output)
            }
        }
        if let limit = parsed.oversizedLimit, ended == nil {
            let error = ProviderTranslationError.unsupported(path: "", reason: "an upstream event exceeds \(limit) bytes")
            fail(.malformed(error), message: "the upstream stream could not be translated: \(error.message)", into: &output)
        }
    }

    /// `feed` for any collection of bytes (copied first if not contiguous).
    package mutating func feed(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ feed(UnsafeRawBufferPointer($0), into: &output) }) { return done }
        Array(bytes).withUnsafeBytes { feed($0, into: &output) }
    }

    /// The upstream ended; says how. Writes nothing: a stream cut short stays without `message_stop`.
    package func finish() -> Outcome { ended ?? .truncated }

    private mutating func handle(_ event: SSEEvent, into output: inout [UInt8]) throws(ProviderTranslationError) {
        if event.data.elementsEqual("[DONE]".utf8) {
            guard started else { throw .unsupported(path: "", reason: "[DONE] before any chunk") }
            closeBlock(into: &output)
            append("message_delta", .members([
                ("type", .string("message_delta")),
                ("delta", .members([("stop_reason", .string(OpenAIToAnthropicMapping.stopReason(finishReason))), ("stop_sequence", .null)])),
                ("usage", usage.anthropic),
            ]), into: &output)
            append("message_stop", .members([("type", .string("message_stop"))]), into: &output)
            ended = .complete
            return
        }
        let chunk = try ProviderJSONCursor.parse(event.data)
        if let error = chunk["error"] {
            let message = try error["message"]?.string() ?? "the upstream reported an error"
            return fail(.upstreamError(message: message), message: message, into: &output)
        }
        let choices = try chunk["choices"]?.array() ?? []
        // Azure OpenAI opens with a chunk of `prompt_filter_results` only (empty id and model):
        // nothing to say yet.
        if !started, choices.isEmpty, chunk["usage"] == nil { return }
        if !started {
            started = true
            append("message_start", .members([("type", .string("message_start")), ("message", .members([
                ("id", .string(try chunk.required("id").string())),
                ("type", .string("message")),
                ("role", .string("assistant")),
                ("model", .string(try chunk.required("model").string())),
                ("content", .array([])),
                ("stop_reason", .null),
                ("stop_sequence", .null),
                ("usage", OpenAIToAnthropicMapping.Usage().anthropic),
            ]))]), into: &output)
        }
        if let counters = chunk["usage"] { try usage.update(from: counters) }
        for choice in choices {
            if let delta = choice["delta"] { try handleDelta(delta, into: &output) }
            if let reason = choice["finish_reason"] { finishReason = try reason.string() }
        }
    }

    private mutating func handleDelta(_ delta: ProviderJSONCursor, into output: inout [UInt8]) throws(ProviderTranslationError) {
        if let reasoning = delta["reasoning_content"], case let text = try reasoning.string(), !text.isEmpty {
            enter(.thinking, start: .members([("type", .string("thinking")), ("thinking", .string("")), ("signature", .string(""))]), into: &output)
            appendDelta(.members([("type", .string("thinking_delta")), ("thinking", .string(text))]), into: &output)
        }
        if let content = delta["content"], case let text = try content.string(), !text.isEmpty {
            enter(.text, start: .members([("type", .string("text")), ("text", .string(""))]), into: &output)
            appendDelta(.members([("type", .string("text_delta")), ("text", .string(text))]), into: &output)
        }
        for call in try delta["tool_calls"]?.array() ?? [] {
            let index = try call.required("index").int()
            let function = call["function"]
            if let id = call["id"] {
                enter(.tool(openAIIndex: index), start: .members([
                    ("type", .string("tool_use")),
                    ("id", .string(try id.string())),
                    ("name", .string(try function?.required("name").string() ?? "")),
                    ("input", .members([])),
                ]), into: &output)
            } else if open != .tool(openAIIndex: index) {
                throw .unsupported(path: call.path, reason: "arguments for tool call \(index), which is not the one being streamed")
            }
            if let arguments = function?["arguments"], case let text = try arguments.string(), !text.isEmpty {
                appendDelta(.members([("type", .string("input_json_delta")), ("partial_json", .string(text))]), into: &output)
            }
        }
    }

    /// Makes `block` the open block: text and thinking continue an open block of their kind;
    /// anything else closes the open block and starts a new one (a tool call is entered once,
    /// when its `id` arrives).
    private mutating func enter(_ block: Block, start: JSONValue, into output: inout [UInt8]) {
        switch (open, block) {
        case (.thinking?, .thinking), (.text?, .text): return
        default: closeBlock(into: &output)
        }
        open = block
        blockCount += 1
        append("content_block_start", .members([
            ("type", .string("content_block_start")), ("index", .number(JSONNumber(blockCount - 1))), ("content_block", start),
        ]), into: &output)
    }

    private mutating func closeBlock(into output: inout [UInt8]) {
        guard open != nil else { return }
        open = nil
        append("content_block_stop", .members([("type", .string("content_block_stop")), ("index", .number(JSONNumber(blockCount - 1)))]), into: &output)
    }

    private func appendDelta(_ delta: JSONValue, into output: inout [UInt8]) {
        append("content_block_delta", .members([
            ("type", .string("content_block_delta")), ("index", .number(JSONNumber(blockCount - 1))), ("delta", delta),
        ]), into: &output)
    }

    private mutating func fail(_ outcome: Outcome, message: String, into output: inout [UInt8]) {
        append("error", ProviderErrorBody.anthropicError(message: message, type: "api_error"), into: &output)
        ended = outcome
    }

    private func append(_ name: String, _ data: JSONValue, into output: inout [UInt8]) {
        SSEEncoder.appendEvent(name: name, data: JSONWriter.write(data), to: &output)
    }
}
