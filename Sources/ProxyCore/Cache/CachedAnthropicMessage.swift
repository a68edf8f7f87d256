/// An Anthropic message (`/v1/messages`) in one shape whichever form it came in: a `message`
/// JSON body, or a stream of Anthropic's events reassembled. A hit in the other form than the
/// one stored is rendered from it (`json()`, `eventStream()`); the store rules read it.
///
/// The message is kept as the provider's object (its members in order, every field it sent),
/// with the content blocks completed from their deltas: text, thinking and its signature,
/// tool inputs (the `input_json_delta` fragments parsed once the block stops), citations.
///
/// Pure; built off the hot path (when an answer is stored, or served in the other form).
package struct CachedAnthropicMessage: Hashable, Sendable {
    /// The message object, `content` included.
    package private(set) var message: JSONObject

    /// The message in a `message` body; nil when `value` is not one.
    package init?(message value: JSONValue) {
        guard case .object(let object) = value, object["type"] == .string("message"), case .array? = object["content"] else { return nil }
        message = object
    }

    /// The message a whole Anthropic event stream carried; nil when the stream is not one, holds
    /// an `error` event, or did not end with `message_stop` (a cut stream is never an answer).
    package init?(stream: [UInt8]) {
        var parser = SSEParser()
        guard let items = try? parser.feed(stream) else { return nil }
        var assembled: JSONObject?
        var blocks: [JSONObject] = []
        var partialInputs: [Int: String] = [:]
        var stopped = false
        for case .event(let event) in items {
            guard !stopped, let value = try? JSONParser.parse(event.data), case .object(let payload) = value,
                  case .string(let type)? = payload["type"] else { return nil }
            switch type {
            case "message_start":
                guard assembled == nil, case .object(let start)? = payload["message"] else { return nil }
                assembled = start
            case "content_block_start":
                guard assembled != nil, let index = payload["index"]?.intValue, index == blocks.count,
                      case .object(let block)? = payload["content_block"] else { return nil }
                blocks.append(block)
            case "content_block_delta":
                guard let index = payload["index"]?.intValue, blocks.indices.contains(index),
                      case .object(let delta)? = payload["delta"] else { return nil }
                Self.absorb(delta, into: &blocks[index], partialInput: &partialInputs[index])
            case "content_block_stop":
                guard let index = payload["index"]?.intValue, blocks.indices.contains(index) else { return nil }
                if let partial = partialInputs.removeValue(forKey: index) {
                    guard let input = try? JSONParser.parse(Array(partial.utf8)) else { return nil }
                    blocks[index]["input"] = input
                }
            case "message_delta":
                guard assembled != nil else { return nil }
                if case .object(let delta)? = payload["delta"] {
                    for (key, field) in delta.members { assembled?[key] = field }
                }
                if case .object(let usage)? = payload["usage"] {
                    var merged = assembled?["usage"].flatMap { if case .object(let object) = $0 { object } else { nil } } ?? JSONObject()
                    for (key, count) in usage.members { merged[key] = count }
                    assembled?["usage"] = .object(merged)
                }
            case "message_stop":
                stopped = true
            case "ping":
                continue
            default:
                // `error`, or an event this version does not know: not an answer to replay.
                return nil
            }
        }
        guard stopped, var whole = assembled, partialInputs.isEmpty else { return nil }
        whole["content"] = .array(blocks.map(JSONValue.object))
        message = whole
    }

    private static func absorb(_ delta: JSONObject, into block: inout JSONObject, partialInput: inout String?) {
        switch delta["type"]?.stringValue {
        case "text_delta":
            block["text"] = .string((block["text"]?.stringValue ?? "") + (delta["text"]?.stringValue ?? ""))
        case "thinking_delta":
            block["thinking"] = .string((block["thinking"]?.stringValue ?? "") + (delta["thinking"]?.stringValue ?? ""))
        case "signature_delta":
            block["signature"] = delta["signature"]
        case "input_json_delta":
            partialInput = (partialInput ?? "") + (delta["partial_json"]?.stringValue ?? "")
        case "citations_delta":
            guard let citation = delta["citation"] else { return }
            if case .array(let citations)? = block["citations"] { block["citations"] = .array(citations + [citation]) } else {
                block["citations"] = .array([citation])
            }
        default:
            return
        }
    }

    /// The content blocks.
    package var content: [JSONValue] {
        if case .array(let blocks)? = message["content"] { return blocks }
        return []
    }

    /// Whether the message calls a tool (a `tool_use` block, or `stop_reason: "tool_use"`).
    package var callsTools: Bool {
        message["stop_reason"] == .string("tool_use")
            || content.contains { if case .object(let block) = $0 { block["type"] == .string("tool_use") } else { false } }
    }

    /// The message as a `message` body.
    package func json() -> JSONValue { .object(message) }

    /// The message as Anthropic streams it: `message_start` (the message without its content,
    /// stop reason and sequence), per block `content_block_start`, one `content_block_delta`
    /// with the whole text, thinking (and signature) or tool input, `content_block_stop`; then
    /// `message_delta` (stop reason and sequence, output tokens) and `message_stop`.
    package func eventStream() -> [UInt8] {
        var output: [UInt8] = []
        var start = message
        start["content"] = .array([])
        start["stop_reason"] = .null
        start["stop_sequence"] = .null
        Self.append("message_start", [("type", .string("message_start")), ("message", .object(start))], to: &output)
        for (index, element) in content.enumerated() {
            guard case .object(let block) = element else { continue }
            var opening = block
            var deltas: [JSONObject] = []
            switch block["type"]?.stringValue {
            case "text":
                opening["text"] = .string("")
                opening["citations"] = nil
                deltas.append(JSONObject([("type", .string("text_delta")), ("text", block["text"] ?? .string(""))]))
                if case .array(let citations)? = block["citations"] {
                    deltas += citations.map { JSONObject([("type", .string("citations_delta")), ("citation", $0)]) }
                }
            case "thinking":
                opening["thinking"] = .string("")
                opening["signature"] = .string("")
                deltas.append(JSONObject([("type", .string("thinking_delta")), ("thinking", block["thinking"] ?? .string(""))]))
                if let signature = block["signature"] { deltas.append(JSONObject([("type", .string("signature_delta")), ("signature", signature)])) }
            case "tool_use", "server_tool_use":
                opening["input"] = .object(JSONObject())
                let input = JSONWriter.write(block["input"] ?? .object(JSONObject()))
                deltas.append(JSONObject([("type", .string("input_json_delta")),
                                          ("partial_json", .string(String(decoding: input, as: UTF8.self)))]))
            default:
                break  // sent whole in its start event (redacted thinking, tool results)
            }
            let position = JSONValue.number(JSONNumber(index))
            Self.append("content_block_start", [("type", .string("content_block_start")), ("index", position),
                                                ("content_block", .object(opening))], to: &output)
            for delta in deltas {
                Self.append("content_block_delta", [("type", .string("content_block_delta")), ("index", position),
                                                    ("delta", .object(delta))], to: &output)
            }
            Self.append("content_block_stop", [("type", .string("content_block_stop")), ("index", position)], to: &output)
        }
        var usage: [(key: String, value: JSONValue)] = []
        if case .object(let counts)? = message["usage"], let output = counts["output_tokens"] { usage.append(("output_tokens", output)) }
        Self.append("message_delta", [("type", .string("message_delta")),
                                      ("delta", .object(JSONObject([("stop_reason", message["stop_reason"] ?? .null),
                                                                    ("stop_sequence", message["stop_sequence"] ?? .null)]))),
                                      ("usage", .object(JSONObject(usage)))], to: &output)
        Self.append("message_stop", [("type", .string("message_stop"))], to: &output)
        return output
    }

    private static func append(_ name: String, _ members: [(key: String, value: JSONValue)], to output: inout [UInt8]) {
        SSEEncoder.appendEvent(name: name, data: JSONWriter.write(.object(JSONObject(members))), to: &output)
    }
}
