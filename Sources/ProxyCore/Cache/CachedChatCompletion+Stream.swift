/// Reassembling a streamed chat completion, and rendering one as a stream.
extension CachedChatCompletion {
    /// The completion a whole `chat.completion.chunk` stream carried: contents, reasoning and
    /// tool-call arguments concatenated per choice (and call) index, the finish reasons, the
    /// usage chunk. Nil when the stream is not one of chat chunks or did not end with `[DONE]`
    /// (a cut stream is never an answer).
    package init?(stream: [UInt8]) {
        var parser = SSEParser()
        guard let items = try? parser.feed(stream) else { return nil }
        var done = false
        var started = false
        self.init()
        for case .event(let event) in items {
            if event.data.elementsEqual("[DONE]".utf8) {
                done = true
                continue
            }
            guard !done, event.name == nil || event.isNamed("message"),
                  let value = try? JSONParser.parse(event.data), case .object(let chunk) = value,
                  chunk["object"] == .string("chat.completion.chunk") else { return nil }
            if !started {
                id = chunk["id"] ?? id
                created = chunk["created"] ?? created
                model = chunk["model"] ?? model
                started = true
            }
            if let fingerprint = chunk["system_fingerprint"], fingerprint != .null { systemFingerprint = fingerprint }
            if let usage = chunk["usage"], usage != .null { self.usage = usage }
            guard case .array(let deltas)? = chunk["choices"] else { continue }
            for element in deltas {
                guard case .object(let fields) = element else { return nil }
                absorb(fields)
            }
        }
        guard done, started else { return nil }
        choices.sort { $0.index < $1.index }
    }

    private mutating func absorb(_ fields: JSONObject) {
        let index = fields["index"]?.intValue ?? 0
        let position: Int
        if let found = choices.firstIndex(where: { $0.index == index }) { position = found } else {
            choices.append(Choice(index: index))
            position = choices.count - 1
        }
        if let reason = fields["finish_reason"], reason != .null { choices[position].finishReason = reason }
        if let logprobs = fields["logprobs"], logprobs != .null { choices[position].logprobs = logprobs }
        guard case .object(let delta)? = fields["delta"] else { return }
        if let role = delta["role"]?.stringValue { choices[position].role = role }
        if let text = delta["content"]?.stringValue { choices[position].content = (choices[position].content ?? "") + text }
        if let text = delta["reasoning_content"]?.stringValue {
            choices[position].reasoning = (choices[position].reasoning ?? "") + text
        }
        if let text = delta["refusal"]?.stringValue { choices[position].refusal = (choices[position].refusal ?? "") + text }
        guard case .array(let calls)? = delta["tool_calls"] else { return }
        for call in calls {
            guard case .object(let callFields) = call else { continue }
            let callIndex = callFields["index"]?.intValue ?? 0
            var slot: Int
            if let found = choices[position].toolCalls.firstIndex(where: { $0.index == callIndex }) { slot = found } else {
                choices[position].toolCalls.append(ToolCall(index: callIndex))
                slot = choices[position].toolCalls.count - 1
            }
            if let id = callFields["id"]?.stringValue { choices[position].toolCalls[slot].id = id }
            if let type = callFields["type"]?.stringValue { choices[position].toolCalls[slot].type = type }
            if case .object(let function)? = callFields["function"] {
                if let name = function["name"]?.stringValue { choices[position].toolCalls[slot].name = name }
                if let arguments = function["arguments"]?.stringValue { choices[position].toolCalls[slot].arguments += arguments }
            }
        }
    }

    /// The completion as a stream in OpenAI's shape: per choice one chunk with the whole
    /// delta (role, content, reasoning, tool calls) and one with its finish reason, then the
    /// usage chunk when `includeUsage` (and usage is known), then `data: [DONE]`.
    package func eventStream(includeUsage: Bool) -> [UInt8] {
        var output: [UInt8] = []
        for choice in choices {
            var delta: [(key: String, value: JSONValue)] = [("role", .string(choice.role))]
            if let content = choice.content { delta.append(("content", .string(content))) }
            if let reasoning = choice.reasoning { delta.append(("reasoning_content", .string(reasoning))) }
            if let refusal = choice.refusal { delta.append(("refusal", .string(refusal))) }
            if !choice.toolCalls.isEmpty { delta.append(("tool_calls", .array(choice.toolCalls.map { $0.json(withIndex: true) }))) }
            appendChunk(choice: choice.index, delta: delta, logprobs: choice.logprobs, finishReason: .null, to: &output)
            appendChunk(choice: choice.index, delta: [], logprobs: .null, finishReason: choice.finishReason, to: &output)
        }
        if includeUsage, let usage {
            var chunk = chunkMembers()
            chunk.append(("choices", .array([])))
            chunk.append(("usage", usage))
            SSEEncoder.appendEvent(name: nil, data: JSONWriter.write(.object(JSONObject(chunk))), to: &output)
        }
        SSEEncoder.appendEvent(name: nil, data: "[DONE]".utf8, to: &output)
        return output
    }

    private func chunkMembers() -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [
            ("id", id), ("object", .string("chat.completion.chunk")), ("created", created), ("model", model),
        ]
        if let systemFingerprint { members.append(("system_fingerprint", systemFingerprint)) }
        return members
    }

    private func appendChunk(choice index: Int, delta: [(key: String, value: JSONValue)], logprobs: JSONValue,
                             finishReason: JSONValue, to output: inout [UInt8]) {
        var chunk = chunkMembers()
        chunk.append(("choices", .array([.object(JSONObject([
            ("index", .number(JSONNumber(index))), ("delta", .object(JSONObject(delta))), ("logprobs", logprobs),
            ("finish_reason", finishReason),
        ]))])))
        SSEEncoder.appendEvent(name: nil, data: JSONWriter.write(.object(JSONObject(chunk))), to: &output)
    }
}
