/// The `messages` half of `OpenAIToAnthropicRequest`: OpenAI's role-per-message list to
/// Anthropic's `system` plus alternating user/assistant turns of content blocks.
///
/// System and developer messages, wherever they stand, are joined into `system` in order.
/// `tool` messages become `tool_result` blocks in a user turn; consecutive messages of one
/// role (after that mapping) are merged into one turn, as Anthropic requires.
enum OpenAIToAnthropicMessages {
    static func translate(_ messages: ProviderJSONCursor) throws(ProviderTranslationError) -> (system: JSONValue?, messages: [JSONValue]) {
        var system: [String] = []
        var turns: [(role: String, blocks: [JSONValue], path: String)] = []
        func append(_ role: String, _ blocks: [JSONValue], path: String) {
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks, path))
            }
        }
        for message in try messages.array() {
            let role = try message.required("role").string()
            switch role {
            case "system", "developer":
                system += try texts(message.required("content"))
            case "user":
                append("user", try userBlocks(message.required("content")), path: message.path)
            case "assistant":
                append("assistant", try assistantBlocks(message), path: message.path)
            case "tool":
                let content = try message.required("content")
                let result: JSONValue = if case .string = content.value {
                    content.value
                } else {
                    .array(try texts(content).map(textBlock))
                }
                append("user", [.members([
                    ("type", .string("tool_result")),
                    ("tool_use_id", .string(try message.required("tool_call_id").string())),
                    ("content", result),
                ])], path: message.path)
            default:
                throw .unsupported(path: JSONPath.member(message.path, "role"), reason: "role \"\(role)\" cannot be sent to Anthropic")
            }
        }
        let output = try turns.map { turn throws(ProviderTranslationError) -> JSONValue in
            guard !turn.blocks.isEmpty else {
                throw .unsupported(path: turn.path, reason: "Anthropic does not accept a message without content")
            }
            return .members([("role", .string(turn.role)), ("content", .array(turn.blocks))])
        }
        let systemValue: JSONValue? = switch system.count {
        case 0: nil
        case 1: .string(system[0])
        default: .array(system.map(textBlock))
        }
        return (systemValue, output)
    }

    private static func textBlock(_ text: String) -> JSONValue {
        .members([("type", .string("text")), ("text", .string(text))])
    }

    /// The texts of a content that may only hold text: a string, or an array of text parts.
    private static func texts(_ content: ProviderJSONCursor) throws(ProviderTranslationError) -> [String] {
        if case .string(let text) = content.value { return text.isEmpty ? [] : [text] }
        var result: [String] = []
        for part in try content.array() {
            let type = try part.required("type").string()
            guard type == "text" else {
                throw .unsupported(path: JSONPath.member(part.path, "type"), reason: "only text parts are allowed here")
            }
            let text = try part.required("text").string()
            if !text.isEmpty { result.append(text) }
        }
        return result
    }

    private static func userBlocks(_ content: ProviderJSONCursor) throws(ProviderTranslationError) -> [JSONValue] {
        if case .string(let text) = content.value { return text.isEmpty ? [] : [textBlock(text)] }
        var blocks: [JSONValue] = []
        for part in try content.array() {
            let type = try part.required("type").string()
            switch type {
            case "text":
                let text = try part.required("text").string()
                if !text.isEmpty { blocks.append(textBlock(text)) }
            case "image_url":
                blocks.append(try imageBlock(part.required("image_url").required("url")))
            default:
                throw .unsupported(path: JSONPath.member(part.path, "type"), reason: "content part \"\(type)\" cannot be sent to Anthropic")
            }
        }
        return blocks
    }

    /// `data:<media type>;base64,<data>` becomes a base64 source, `https://…` a URL source.
    private static func imageBlock(_ url: ProviderJSONCursor) throws(ProviderTranslationError) -> JSONValue {
        let text = try url.string()
        let source: JSONValue
        if text.hasPrefix("data:") {
            let rest = text.dropFirst("data:".count)
            guard let comma = rest.firstIndex(of: ","), rest[..<comma].hasSuffix(";base64") else {
                throw .unsupported(path: url.path, reason: "a data URL must be base64 encoded (data:<media type>;base64,…)")
            }
            let mediaType = rest[..<comma].dropLast(";base64".count)
            guard mediaType.hasPrefix("image/") else {
                throw .unsupported(path: url.path, reason: "the data URL's media type must be an image type")
            }
            source = .members([
                ("type", .string("base64")), ("media_type", .string(String(mediaType))), ("data", .string(String(rest[rest.index(after: comma)...]))),
            ])
        } else if text.hasPrefix("https://") {
            source = .members([("type", .string("url")), ("url", .string(text))])
        } else {
            throw .unsupported(path: url.path, reason: "an image must be a data URL or an https URL")
        }
        return .members([("type", .string("image")), ("source", source)])
    }

    private static func assistantBlocks(_ message: ProviderJSONCursor) throws(ProviderTranslationError) -> [JSONValue] {
        var blocks: [JSONValue] = []
        if let content = message["content"] {
            if case .string(let text) = content.value {
                if !text.isEmpty { blocks.append(textBlock(text)) }
            } else {
                for part in try content.array() {
                    let type = try part.required("type").string()
                    guard type == "text" || type == "refusal" else {
                        throw .unsupported(path: JSONPath.member(part.path, "type"), reason: "assistant content part \"\(type)\" cannot be sent to Anthropic")
                    }
                    let text = try part.required(type).string()
                    if !text.isEmpty { blocks.append(textBlock(text)) }
                }
            }
        }
        for call in try message["tool_calls"]?.array() ?? [] {
            let function = try call.required("function")
            let arguments = try function.required("arguments")
            let input: JSONValue
            do {
                input = try JSONParser.parse(try arguments.string())
            } catch {
                throw .unsupported(path: arguments.path, reason: "the arguments are not valid JSON: \(error)")
            }
            guard case .object = input else {
                throw .wrongType(path: arguments.path, expected: "a JSON object in a string")
            }
            blocks.append(.members([
                ("type", .string("tool_use")),
                ("id", .string(try call.required("id").string())),
                ("name", .string(try function.required("name").string())),
                ("input", input),
            ]))
        }
        return blocks
    }
}
