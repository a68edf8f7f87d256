/// The two chat APIs Sluice speaks, and translates between per attempt.
package enum ChatAPI: Hashable, Sendable {
    /// OpenAI's `POST /v1/chat/completions`, spoken by every OpenAI-style provider.
    case openAIChat
    /// Anthropic's `POST /v1/messages`.
    case anthropicMessages

    /// The API of a client request, from its routed path; nil for every other endpoint
    /// (embeddings, completions, models, `/v1/messages/count_tokens`…): those pass through.
    package init?(clientPath path: Substring) {
        switch path {
        case "/v1/chat/completions": self = .openAIChat
        case "/v1/messages": self = .anthropicMessages
        default: return nil
        }
    }

    /// The API a backend speaks: Anthropic's for `anthropic`, OpenAI's for every other provider.
    package init(provider: ProviderKind) {
        self = provider == .anthropic ? .anthropicMessages : .openAIChat
    }

    /// The client path a request in this API is sent to (the backend's base URL replaces `/v1`).
    package var path: Substring {
        switch self {
        case .openAIChat: "/v1/chat/completions"
        case .anthropicMessages: "/v1/messages"
        }
    }
}
