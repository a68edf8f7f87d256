/// A chat completion in one shape whichever form it came in: a `chat.completion` JSON body or a
/// stream of `chat.completion.chunk` events reassembled. A hit in the other form than the one
/// stored is rendered from it (`json()`, `eventStream(includeUsage:)`); the store rules read it.
///
/// Pure; built off the hot path (when an answer is stored, or served in the other form).
package struct CachedChatCompletion: Hashable, Sendable {
    package var id: JSONValue = .string("")
    package var created: JSONValue = .number(JSONNumber(0))
    package var model: JSONValue = .string("")
    package var systemFingerprint: JSONValue?
    package var choices: [Choice] = []
    package var usage: JSONValue?

    package struct Choice: Hashable, Sendable {
        package var index: Int
        package var role = "assistant"
        package var content: String?
        /// DeepSeek's and others' `reasoning_content`.
        package var reasoning: String?
        package var refusal: String?
        package var toolCalls: [ToolCall] = []
        package var finishReason: JSONValue = .null
        package var logprobs: JSONValue = .null

        package init(index: Int) { self.index = index }
    }

    package struct ToolCall: Hashable, Sendable {
        package var index: Int
        package var id: String?
        package var type: String?
        package var name: String?
        package var arguments = ""

        package init(index: Int) { self.index = index }
    }

    package init() {}

    /// The completion in a `chat.completion` body; nil when `value` is not one.
    package init?(completion value: JSONValue) {
        guard case .object(let object) = value, object["object"] == .string("chat.completion"),
              case .array(let list)? = object["choices"] else { return nil }
        id = object["id"] ?? id
        created = object["created"] ?? created
        model = object["model"] ?? model
        systemFingerprint = object["system_fingerprint"]
        usage = object["usage"].flatMap { $0 == .null ? nil : $0 }
        for (position, element) in list.enumerated() {
            guard case .object(let fields) = element else { return nil }
            var choice = Choice(index: fields["index"].flatMap(\.intValue) ?? position)
            choice.finishReason = fields["finish_reason"] ?? .null
            choice.logprobs = fields["logprobs"] ?? .null
            if case .object(let message)? = fields["message"] {
                choice.role = message["role"]?.stringValue ?? "assistant"
                choice.content = message["content"]?.stringValue
                choice.reasoning = message["reasoning_content"]?.stringValue
                choice.refusal = message["refusal"]?.stringValue
                if case .array(let calls)? = message["tool_calls"] {
                    for (callIndex, call) in calls.enumerated() {
                        guard case .object(let callFields) = call else { continue }
                        var toolCall = ToolCall(index: callIndex)
                        toolCall.id = callFields["id"]?.stringValue
                        toolCall.type = callFields["type"]?.stringValue
                        if case .object(let function)? = callFields["function"] {
                            toolCall.name = function["name"]?.stringValue
                            toolCall.arguments = function["arguments"]?.stringValue ?? ""
                        }
                        choice.toolCalls.append(toolCall)
                    }
                }
            }
            choices.append(choice)
        }
    }

    /// The completion as a `chat.completion` body.
    package func json() -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("id", id), ("object", .string("chat.completion")), ("created", created), ("model", model),
        ]
        members.append(("choices", .array(choices.map { choice in
            var message: [(key: String, value: JSONValue)] = [("role", .string(choice.role)),
                                                               ("content", choice.content.map(JSONValue.string) ?? .null)]
            if let reasoning = choice.reasoning { message.append(("reasoning_content", .string(reasoning))) }
            if let refusal = choice.refusal { message.append(("refusal", .string(refusal))) }
            if !choice.toolCalls.isEmpty { message.append(("tool_calls", .array(choice.toolCalls.map { $0.json(withIndex: false) }))) }
            return .object(JSONObject([("index", .number(JSONNumber(choice.index))), ("message", .object(JSONObject(message))),
                                       ("logprobs", choice.logprobs), ("finish_reason", choice.finishReason)]))
        })))
        if let usage { members.append(("usage", usage)) }
        if let systemFingerprint { members.append(("system_fingerprint", systemFingerprint)) }
        return .object(JSONObject(members))
    }
}

extension CachedChatCompletion.ToolCall {
    /// The call as in a message (`withIndex` false) or in a chunk's delta (true).
    func json(withIndex: Bool) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if withIndex { members.append(("index", .number(JSONNumber(index)))) }
        if let id { members.append(("id", .string(id))) }
        members.append(("type", .string(type ?? "function")))
        var function: [(key: String, value: JSONValue)] = []
        if let name { function.append(("name", .string(name))) }
        function.append(("arguments", .string(arguments)))
        members.append(("function", .object(JSONObject(function))))
        return .object(JSONObject(members))
    }
}

extension JSONValue {
    /// The string, when this is one.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The integer, when this is a number that is one.
    var intValue: Int? {
        if case .number(let number) = self { return number.int }
        return nil
    }
}
