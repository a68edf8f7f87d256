/// Translates an OpenAI chat completions request body into an Anthropic Messages request body.
///
/// Pure. What maps and what is refused is listed in `docs/providers.md`; anything that cannot
/// be expressed is a `ProviderTranslationError` naming the member, never dropped in silence.
/// Members with no Anthropic meaning and no effect on the answer's content (`seed`, `store`,
/// `metadata`, `service_tier`, `logit_bias`, penalties, `reasoning_effort`, …) are left out.
package enum OpenAIToAnthropicRequest {
    /// Settings from the backend's configuration.
    package struct Options: Hashable, Sendable {
        /// `max_tokens` when the request names neither `max_tokens` nor `max_completion_tokens`
        /// (Anthropic requires it).
        package var defaultMaxTokens: Int

        package init(defaultMaxTokens: Int) { self.defaultMaxTokens = defaultMaxTokens }
    }

    /// The translated request and what the answer's translation needs to know about it.
    package struct Translation: Hashable, Sendable {
        /// The Anthropic request body (compact JSON).
        package var body: [UInt8]
        /// The client asked for a stream (`stream: true`).
        package var stream: Bool
        /// The client asked for a final usage chunk (`stream_options.include_usage: true`).
        package var includeUsage: Bool
    }

    package static func translate(_ body: some Collection<UInt8>, options: Options) throws(ProviderTranslationError) -> Translation {
        let request = try ProviderJSONCursor.parse(body)
        _ = try request.object()
        if let n = request["n"], try n.int() != 1 {
            throw .unsupported(path: n.path, reason: "Anthropic returns one choice per request; n must be 1")
        }
        if let logprobs = request["logprobs"], try logprobs.bool() {
            throw .unsupported(path: logprobs.path, reason: "Anthropic does not return log probabilities")
        }
        if let modalities = request["modalities"], try modalities.array().contains(where: { $0.value != .string("text") }) {
            throw .unsupported(path: modalities.path, reason: "Anthropic answers with text only")
        }
        if let format = request["response_format"] {
            let type = try format.required("type").string()
            if type != "text" {
                throw .unsupported(path: JSONPath.member(format.path, "type"), reason: "\(type) has no Anthropic equivalent; use a tool with an input schema instead")
            }
        }
        let stream = try request["stream"]?.bool() ?? false
        let includeUsage = try request["stream_options"]?["include_usage"]?.bool() ?? false

        let (system, messages) = try OpenAIToAnthropicMessages.translate(try request.required("messages"))
        let maxTokens: Int
        if let limit = request["max_completion_tokens"] ?? request["max_tokens"] {
            maxTokens = try limit.int()
            guard maxTokens >= 1 else { throw .outOfRange(path: limit.path, reason: "must be at least 1") }
        } else {
            maxTokens = options.defaultMaxTokens
        }
        var output: [(String, JSONValue?)] = [
            ("model", .string(try request.required("model").string())),
            ("max_tokens", .number(JSONNumber(maxTokens))),
            ("system", system),
            ("messages", .array(messages)),
        ]
        if let stop = request["stop"] {
            var sequences: [JSONValue] = []
            if case .string = stop.value {
                sequences = [stop.value]
            } else {
                for sequence in try stop.array() { sequences.append(.string(try sequence.string())) }
            }
            output.append(("stop_sequences", .array(sequences)))
        }
        if let temperature = request["temperature"] {
            guard let value = try temperature.number().double, value >= 0, value <= 1 else {
                throw .outOfRange(path: temperature.path, reason: "Anthropic accepts a temperature from 0 to 1")
            }
            output.append(("temperature", temperature.value))
        }
        if let topP = request["top_p"] { output.append(("top_p", .number(try topP.number()))) }
        // Anthropic refuses a tool_choice without tools; OpenAI clients send one anyway.
        if let tools = request["tools"], !(try tools.array().isEmpty) {
            output.append(("tools", try translateTools(tools)))
            output.append(("tool_choice", try translateToolChoice(request["tool_choice"], parallel: request["parallel_tool_calls"])))
        }
        if let user = request["user"] ?? request["safety_identifier"] {
            output.append(("metadata", .members([("user_id", .string(try user.string()))])))
        }
        if stream { output.append(("stream", .bool(true))) }
        return Translation(body: JSONWriter.write(.members(output)), stream: stream, includeUsage: includeUsage)
    }

    private static func translateTools(_ tools: ProviderJSONCursor) throws(ProviderTranslationError) -> JSONValue {
        var result: [JSONValue] = []
        for tool in try tools.array() {
            let type = try tool.required("type").string()
            guard type == "function" else {
                throw .unsupported(path: JSONPath.member(tool.path, "type"), reason: "only function tools can be sent to Anthropic")
            }
            let function = try tool.required("function")
            let schema = try function["parameters"].map { parameters throws(ProviderTranslationError) in JSONValue.object(try parameters.object()) }
            result.append(.members([
                ("name", .string(try function.required("name").string())),
                ("description", try function["description"].map { description throws(ProviderTranslationError) in .string(try description.string()) }),
                ("input_schema", schema ?? .members([("type", .string("object")), ("properties", .members([]))])),
            ]))
        }
        return .array(result)
    }

    private static func translateToolChoice(
        _ choice: ProviderJSONCursor?, parallel: ProviderJSONCursor?
    ) throws(ProviderTranslationError) -> JSONValue? {
        let disableParallel: JSONValue? = try parallel?.bool() == false ? .bool(true) : nil
        guard let choice else {
            return disableParallel.map { .members([("type", .string("auto")), ("disable_parallel_tool_use", $0)]) }
        }
        if case .string(let mode) = choice.value {
            switch mode {
            case "none": return .members([("type", .string("none"))])
            case "auto": return .members([("type", .string("auto")), ("disable_parallel_tool_use", disableParallel)])
            case "required": return .members([("type", .string("any")), ("disable_parallel_tool_use", disableParallel)])
            default: throw .unsupported(path: choice.path, reason: "unknown tool_choice \"\(mode)\"")
            }
        }
        let type = try choice.required("type").string()
        guard type == "function" else {
            throw .unsupported(path: JSONPath.member(choice.path, "type"), reason: "only a function can be forced on Anthropic")
        }
        let name = try choice.required("function").required("name").string()
        return .members([("type", .string("tool")), ("name", .string(name)), ("disable_parallel_tool_use", disableParallel)])
    }
}
