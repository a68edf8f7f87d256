/// How a backend's key is sent upstream (`credentials.header`).
package enum CredentialHeader: String, Hashable, Sendable, CaseIterable {
    /// `Authorization: Bearer <key>` (OpenAI, DeepSeek, DashScope, vLLM…).
    case authorization
    /// `api-key: <key>` (Azure OpenAI).
    case apiKey = "api-key"
    /// `x-api-key: <key>` (Anthropic).
    case xAPIKey = "x-api-key"

    /// The header field name to send, lowercase.
    package var fieldName: String { rawValue }

    /// What goes before the key in the field value: `"Bearer "` or nothing.
    package var valuePrefix: String { self == .authorization ? "Bearer " : "" }
}
