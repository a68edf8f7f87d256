/// What one request needs of a model, read from its JSON body for an `auto` route: the
/// estimated prompt tokens, the output it asks for, the capabilities it uses, and the text of
/// its last user message (for class rules).
///
/// **The token estimator** (`docs/routing.md`): one token per 4 bytes of the UTF-8 text in the
/// body's strings (message contents, system prompt, tool schemas, their keys), plus 4 tokens
/// per message for the chat framing, plus 765 tokens per image (a 1024×1024 image at OpenAI's
/// high detail). Image URLs and base64 payloads (`url`, `data`) are not text. English runs about
/// 4 bytes per token with the common tokenizers; code and other scripts run fewer, so the
/// estimate can be low by a factor of up to 2 there — the context margin covers part of that.
package struct RequestNeeds: Hashable, Sendable {
    package static let bytesPerToken = 4
    package static let tokensPerMessage = 4
    package static let tokensPerImage = 765

    /// The estimated prompt tokens.
    package let promptTokens: Int
    /// `max_tokens` or `max_completion_tokens`, when the request sets one.
    package let requestedOutputTokens: Int?
    /// `tools` when it has tools, `vision` when it has image parts, `json` when it asks for a
    /// `response_format` other than `text`.
    package let capabilities: ModelCapabilities
    /// The text of the last message with role `user` (its text parts joined by newlines).
    package let lastUserMessage: String

    package init(promptTokens: Int, requestedOutputTokens: Int? = nil, capabilities: ModelCapabilities = .init(),
                 lastUserMessage: String = "") {
        self.promptTokens = promptTokens
        self.requestedOutputTokens = requestedOutputTokens
        self.capabilities = capabilities
        self.lastUserMessage = lastUserMessage
    }

    /// The needs of a chat or messages body (OpenAI or Anthropic shape), or nil when it is not
    /// valid JSON. One validating pass without a tree; allocates only the last user message.
    /// Called on the request's event loop for `auto` models only.
    package static func read(_ body: UnsafeRawBufferPointer) -> RequestNeeds? {
        var collector = RequestNeedsCollector(buffer: body)
        do {
            try JSONSyntaxWalker.walk(body, maxDepth: 128, visitor: &collector)
        } catch {
            return nil
        }
        var text = ""
        for range in collector.lastUserTexts {
            guard let part = JSONFieldScanner.decodeString(body, at: range) else { continue }
            if !text.isEmpty { text += "\n" }
            text += part
        }
        let prompt = (collector.textBytes + bytesPerToken - 1) / bytesPerToken
            + collector.messages * tokensPerMessage + collector.images * tokensPerImage
        return RequestNeeds(promptTokens: prompt, requestedOutputTokens: collector.maxTokens,
                            capabilities: collector.capabilities, lastUserMessage: text)
    }

    /// `read(_:)` over a byte array.
    package static func read(_ body: [UInt8]) -> RequestNeeds? {
        body.withUnsafeBytes { read($0) }
    }
}
