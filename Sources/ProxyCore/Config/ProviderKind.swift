/// The wire protocol and conventions of a backend (`provider` in the config).
package enum ProviderKind: String, Hashable, Sendable, CaseIterable {
    case openai
    case deepseek
    case dashscope
    case azureOpenAI = "azure-openai"
    case anthropic
    case vllm
    case ollama
    case openaiCompatible = "openai-compatible"

    /// The credential header this provider expects when `credentials.header` is omitted:
    /// `api-key` for Azure OpenAI, `x-api-key` for Anthropic, `Authorization: Bearer` otherwise.
    package var defaultCredentialHeader: CredentialHeader {
        switch self {
        case .azureOpenAI: .apiKey
        case .anthropic: .xAPIKey
        default: .authorization
        }
    }
}
