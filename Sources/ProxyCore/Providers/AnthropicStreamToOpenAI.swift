/// Translates an Anthropic Messages event stream into an OpenAI `chat.completion.chunk`
/// stream, incrementally: bytes in, in whatever pieces the network delivers, bytes out.
///
/// The output is the same however the input is split. Per Anthropic event:
/// - `message_start` → a chunk with `delta: {"role":"assistant","content":""}`;
/// - `content_block_start` of a `tool_use` block → a chunk opening the tool call (`id`,
///   `name`, empty `arguments`); text and thinking blocks open nothing;
/// - `content_block_delta`: `text_delta` → `content`, `input_json_delta` → the tool call's
///   `arguments`, `thinking_delta` → `reasoning_content`; signatures are dropped;
/// - `message_delta` → a chunk with an empty delta and the `finish_reason`;
/// - `message_stop` → the usage chunk (`choices: []`) when the client asked for it, then
///   `data: [DONE]`;
/// - `ping` → an SSE comment `: ping`, which keeps idle connections open and clients ignore;
/// - `error` → `data: {"error":{…}}` in OpenAI's shape, and the stream ends there.
/// Input that is not a well-formed Anthropic stream ends the output the same way, with an
/// error naming the problem; nothing after it is read.
package struct AnthropicStreamToOpenAI: Sendable {
    /// How the stream ended, from `finish`.
    package enum Outcome: Hashable, Sendable {
        /// `message_stop` arrived and `[DONE]` was written.
        case complete
        /// The upstream sent an `error` event; it was passed on in OpenAI's shape.
        case upstreamError(type: String, message: String)
        /// The input was not a well-formed Anthropic stream; an error event was written.
        case malformed(ProviderTranslationError)
        /// The input ended before `message_stop`: the client sees no `[DONE]`.
        case truncated
    }

    /// The token counts the stream reported so far (for accounting and prices).
    package private(set) var usage = AnthropicToOpenAIMapping.Usage()

    private let created: Int
    private let includeUsage: Bool
    private var parser: SSEParser
    private var id = "", model = ""
    private var started = false
    private var ended: Outcome? = nil
    // Anthropic numbers all content blocks; OpenAI numbers tool calls alone.
    private var toolCallIndex: [Int: Int] = [:]

    /// `created` is the Unix time stamped on every chunk; `includeUsage` is the client's
    /// `stream_options.include_usage`.
    package init(created: Int, includeUsage: Bool, maxEventBytes: Int = 1 << 20) {
        self.created = created
        self.includeUsage = includeUsage
        self.parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    /// Translates the next bytes of the upstream stream, appending what they complete to `output`.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard ended == nil else { return }
        let parsed = parser.events(in: bytes)
        for event in parsed.events where ended == nil {
            do {
                try handle(event, into: &output)
            } catch {
                fail(.malformed(error), into: &output)
            }
        }
        if let limit = parsed.oversizedLimit, ended == nil {
            fail(.malformed(.unsupported(path: "", reason: "an upstream event exceeds \(limit) bytes")), into: &output)
        }
    }

    /// `feed` for any collection of bytes (copied first if not contiguous).
    package mutating func feed(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ feed(UnsafeRawBufferPointer($0), into: &output) }) { return done }
        Array(bytes).withUnsafeBytes { feed($0, into: &output) }
    }

    /// The upstream ended; says how. Writes nothing: a stream cut short stays without `[DONE]`.
    package func finish() -> Outcome { ended ?? .truncated }

    private mutating func handle(_ event: SSEEvent, into output: inout [UInt8]) throws(ProviderTranslationError) {
        let data = try ProviderJSONCursor.parse(event.data)
        let type = try data.required("type").string()
        if type != "message_start", type != "ping", type != "error", !started {
            throw .unsupported(path: "type", reason: "\(type) before message_start")
        }
        switch type {
        case "message_start":
            let message = try data.required("message")
            id = try message.required("id").string()
            model = try message.required("model").string()
            if let counters = message["usage"] { try usage.update(from: counters) }
            started = true
            appendChunk(delta: .members([("role", .string("assistant")), ("content", .string(""))]), into: &output)
        case "content_block_start":
            let block = try data.required("content_block")
            guard try block.required("type").string() == "tool_use" else { return }
            let index = toolCallIndex.count
            toolCallIndex[try data.required("index").int()] = index
            appendChunk(delta: .members([("tool_calls", .array([.members([
                ("index", .number(JSONNumber(index))),
                ("id", .string(try block.required("id").string())),
                ("type", .string("function")),
                ("function", .members([("name", .string(try block.required("name").string())), ("arguments", .string(""))])),
            ])]))]), into: &output)
        case "content_block_delta":
            try handleDelta(data, into: &output)
        case "message_delta":
            if let counters = data["usage"] { try usage.update(from: counters) }
            let stopReason = try data.required("delta")["stop_reason"]?.string()
            appendChunk(delta: .members([]), finishReason: AnthropicToOpenAIMapping.finishReason(stopReason), into: &output)
        case "message_stop":
            if includeUsage { appendChunk(choices: [], usage: usage.openAI, into: &output) }
            SSEEncoder.appendEvent(name: nil, data: "[DONE]".utf8, to: &output)
            ended = .complete
        case "ping":
            SSEEncoder.appendComment(" ping", to: &output)
        case "error":
            let error = try data.required("error")
            let errorType = try error.required("type").string(), message = try error.required("message").string()
            appendError(ProviderErrorBody.openAIError(message: message, type: errorType), into: &output)
            ended = .upstreamError(type: errorType, message: message)
        default:
            // content_block_stop, and event types added after this was written.
            return
        }
    }

    private mutating func handleDelta(_ data: ProviderJSONCursor, into output: inout [UInt8]) throws(ProviderTranslationError) {
        let delta = try data.required("delta")
        switch try delta.required("type").string() {
        case "text_delta":
            appendChunk(delta: .members([("content", .string(try delta.required("text").string()))]), into: &output)
        case "thinking_delta":
            appendChunk(delta: .members([("reasoning_content", .string(try delta.required("thinking").string()))]), into: &output)
        case "input_json_delta":
            let blockIndex = try data.required("index")
            guard let index = toolCallIndex[try blockIndex.int()] else {
                throw .unsupported(path: blockIndex.path, reason: "input_json_delta for a block that is not a tool_use")
            }
            appendChunk(delta: .members([("tool_calls", .array([.members([
                ("index", .number(JSONNumber(index))),
                ("function", .members([("arguments", .string(try delta.required("partial_json").string()))])),
            ])]))]), into: &output)
        default:
            return
        }
    }

    private mutating func fail(_ outcome: Outcome, into output: inout [UInt8]) {
        if case .malformed(let error) = outcome {
            appendError(ProviderErrorBody.openAIError(message: "the upstream stream could not be translated: \(error.message)", type: "upstream_error"), into: &output)
        }
        ended = outcome
    }

    private func appendChunk(delta: JSONValue, finishReason: String? = nil, into output: inout [UInt8]) {
        let choice: JSONValue = .members([
            ("index", .number(JSONNumber(0))),
            ("delta", delta),
            ("logprobs", .null),
            ("finish_reason", finishReason.map(JSONValue.string) ?? .null),
        ])
        appendChunk(choices: [choice], usage: nil, into: &output)
    }

    private func appendChunk(choices: [JSONValue], usage: JSONValue?, into output: inout [UInt8]) {
        let chunk: JSONValue = .members([
            ("id", .string(id)),
            ("object", .string("chat.completion.chunk")),
            ("created", .number(JSONNumber(created))),
            ("model", .string(model)),
            ("choices", .array(choices)),
            ("usage", usage),
        ])
        SSEEncoder.appendEvent(name: nil, data: JSONWriter.write(chunk), to: &output)
    }

    private func appendError(_ error: JSONValue, into output: inout [UInt8]) {
        SSEEncoder.appendEvent(name: nil, data: JSONWriter.write(error), to: &output)
    }
}
