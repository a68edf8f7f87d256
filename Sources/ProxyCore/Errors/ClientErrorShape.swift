/// The shape of the errors a client gets, whoever produced them (the sidecar itself or a
/// provider through a translation): Anthropic's for clients of `/v1/messages`, OpenAI's for
/// everyone else. One place renders both, so no answer path special-cases a client.
package enum ClientErrorShape: Hashable, Sendable {
    /// `{"error":{"message","type","param","code"}}` (`ProxyErrorBody`).
    case openAI
    /// `{"type":"error","error":{"type","message"}}`, the type following the status.
    case anthropic

    /// Anthropic's shape for Anthropic Messages clients, OpenAI's otherwise.
    package init(client: ChatAPI?) {
        self = client == .anthropicMessages ? .anthropic : .openAI
    }

    /// The shape for a request to `path` with `headers` (nil when the head is not complete):
    /// Anthropic's for its API's paths (`/v1/messages` and what lies under it, such as
    /// `count_tokens`) and for any request that sends `anthropic-version` (Anthropic's SDKs
    /// always do), else OpenAI's. The session and the HTTP server (for the errors it answers
    /// before a session exists) both decide with this.
    package init(requestPath path: Substring, headers: HTTPHeaders?) {
        let anthropicPath = path == "/v1/messages" || path.hasPrefix("/v1/messages/")
        self = anthropicPath || headers?.contains("anthropic-version") == true ? .anthropic : .openAI
    }

    /// The JSON body of an error the sidecar answers itself. Anthropic's shape has no `code`:
    /// the message carries the meaning there (and the access log the code).
    package func body(status: Int, code: String, message: String, type: String? = nil) -> [UInt8] {
        switch self {
        case .openAI:
            ProxyErrorBody.json(message: message, type: type ?? ProxyErrorBody.type(forStatus: status), code: code)
        case .anthropic:
            JSONWriter.write(ProviderErrorBody.anthropicError(message: message, type: ProviderErrorBody.anthropicType(forStatus: status)))
        }
    }

    /// The event that ends a stream which failed after its first byte: `event: error` with
    /// the error in this shape (and no `[DONE]` or `message_stop`, so the client sees a failure).
    package func streamError(message: String, code: String) -> [UInt8] {
        var event: [UInt8] = []
        let data: [UInt8] = switch self {
        case .openAI: ProxyErrorBody.json(message: message, type: "api_error", code: code)
        case .anthropic: JSONWriter.write(ProviderErrorBody.anthropicError(message: message, type: "api_error"))
        }
        SSEEncoder.appendEvent(name: "error", data: data, to: &event)
        return event
    }

    /// A provider's error answer to an attempt that passed through (the backend speaks the
    /// client's API): untouched, byte for byte, when it is already in this shape
    /// (`ProviderErrorBody.isShaped`); rewritten as `providerError` otherwise (a FastAPI
    /// `detail`, Azure's `{"error":{"code","message"}}`, a proxy's HTML page…).
    package func passThroughError(status: Int, body: [UInt8]) -> ProviderErrorBody.Translation {
        guard ProviderErrorBody.isShaped(body, as: self) else { return providerError(status: status, body: body) }
        return ProviderErrorBody.Translation(status: status == 529 && self == .openAI ? 503 : status, body: body)
    }

    /// A provider's error answer in this shape; Anthropic's 529 becomes 503 for OpenAI clients.
    package func providerError(status: Int, body: some Collection<UInt8>) -> ProviderErrorBody.Translation {
        switch self {
        case .openAI: ProviderErrorBody.toOpenAI(status: status, body: body)
        case .anthropic: ProviderErrorBody.toAnthropic(status: status, body: body)
        }
    }
}
