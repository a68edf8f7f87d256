/// What the semantic tier reads of a cacheable request: the text to embed, and the rest of
/// the request — what must be *equal* for a stored answer to be served to it. For
/// `lastUserMessage` the rest is the canonical body with that message's text left out (the
/// system prompt, every earlier turn, the parameters and tools stay); for `conversation` it is
/// the body with only the `system` and `developer` messages left in `messages` (Anthropic's
/// top-level `system` stays anyway). Only chat-shaped bodies (`messages`, OpenAI's or
/// Anthropic's) whose embedded messages are plain text qualify: an image, a tool call or a tool
/// result is not something two phrasings can share.
///
/// Pure; call from any thread.
package struct SemanticRequest: Hashable, Sendable {
    /// The text embedded (UTF-8).
    package let text: String
    /// The canonical body without the embedded text: part of the semantic scope's key.
    package let rest: [UInt8]

    /// Why a request has no semantic lookup (its exact lookup is unaffected).
    package enum Refusal: String, Error, Hashable, Sendable {
        /// No `messages` array of objects with string roles.
        case notChat = "not_chat"
        /// No user message to embed, or an embedded message is not plain text.
        case noText = "no_text"
    }

    /// The text and rest of `canonicalBody` (`CacheableRequest.canonicalBody`) under `embed`.
    package static func read(canonicalBody: [UInt8], embed: SemanticCacheConfig.Embed) -> Result<SemanticRequest, Refusal> {
        guard case .object(var root)? = try? JSONParser.parse(canonicalBody), case .array(var messages)? = root["messages"] else {
            return .failure(.notChat)
        }
        var roles: [String] = []
        for message in messages {
            guard case .object(let object) = message, case .string(let role)? = object["role"] else { return .failure(.notChat) }
            roles.append(role)
        }
        switch embed {
        case .lastUserMessage:
            guard let last = roles.lastIndex(of: "user"), case .object(var message) = messages[last],
                  let text = plainText(message["content"]), !text.isEmpty else { return .failure(.noText) }
            message["content"] = .null
            messages[last] = .object(message)
            root["messages"] = .array(messages)
            return .success(SemanticRequest(text: text, rest: JSONWriter.write(.object(root), options: .canonical)))
        case .conversation:
            var lines: [String] = []
            var kept: [JSONValue] = []
            for (message, role) in zip(messages, roles) {
                if role == "system" || role == "developer" {
                    kept.append(message)
                    continue
                }
                guard role == "user" || role == "assistant", case .object(let object) = message, object.keys.allSatisfy({ $0 == "role" || $0 == "content" }),
                      let text = plainText(object["content"]) else { return .failure(.noText) }
                lines.append(role + ": " + text)
            }
            guard roles.contains("user") else { return .failure(.noText) }
            root["messages"] = .array(kept)
            return .success(SemanticRequest(text: lines.joined(separator: "\n"), rest: JSONWriter.write(.object(root), options: .canonical)))
        }
    }

    package init(text: String, rest: [UInt8]) {
        self.text = text
        self.rest = rest
    }

    /// A message's content as text: a string, or an array of text parts (OpenAI's `{"type":
    /// "text", "text"}`, Anthropic's text blocks) joined by newlines; nil for anything else.
    private static func plainText(_ content: JSONValue?) -> String? {
        switch content {
        case .string(let text)?:
            return text
        case .array(let parts)?:
            var texts: [String] = []
            for part in parts {
                guard case .object(let object) = part, object["type"] == .string("text"), case .string(let text)? = object["text"] else { return nil }
                texts.append(text)
            }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        default:
            return nil
        }
    }
}
