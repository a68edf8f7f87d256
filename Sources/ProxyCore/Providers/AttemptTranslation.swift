/// Which way one attempt is translated, decided per attempt from the client's API and the
/// backend's provider, so one fallback chain can mix providers. No value (nil) means the
/// attempt passes through untouched.
package enum AttemptTranslation: Hashable, Sendable {
    /// An OpenAI chat client, an Anthropic backend.
    case openAIToAnthropic(defaultMaxTokens: Int)
    /// An Anthropic Messages client, an OpenAI-style backend.
    case anthropicToOpenAI

    /// The translation between `client` and `provider`; nil when they speak the same API or
    /// the client's endpoint is not a chat (it passes through).
    package init?(client: ChatAPI?, provider: ProviderKind, defaultMaxTokens: Int) {
        guard let client, client != ChatAPI(provider: provider) else { return nil }
        switch client {
        case .openAIChat: self = .openAIToAnthropic(defaultMaxTokens: defaultMaxTokens)
        case .anthropicMessages: self = .anthropicToOpenAI
        }
    }

    /// The API the client speaks (and gets its answer in).
    package var client: ChatAPI {
        switch self {
        case .openAIToAnthropic: .openAIChat
        case .anthropicToOpenAI: .anthropicMessages
        }
    }

    /// The API the backend speaks.
    package var upstream: ChatAPI {
        switch self {
        case .openAIToAnthropic: .anthropicMessages
        case .anthropicToOpenAI: .openAIChat
        }
    }

    /// A request body translated for the backend.
    package struct Request: Hashable, Sendable {
        package var body: [UInt8]
        /// The client asked for a final usage chunk (OpenAI's `stream_options.include_usage`).
        package var includeUsage: Bool
    }

    /// Translates the client's request body (model already rewritten for this attempt).
    package func request(_ body: [UInt8]) throws(ProviderTranslationError) -> Request {
        switch self {
        case .openAIToAnthropic(let defaultMaxTokens):
            let translation = try OpenAIToAnthropicRequest.translate(body, options: .init(defaultMaxTokens: defaultMaxTokens))
            return Request(body: translation.body, includeUsage: translation.includeUsage)
        case .anthropicToOpenAI:
            return Request(body: try AnthropicToOpenAIRequest.translate(body).body, includeUsage: false)
        }
    }
}
