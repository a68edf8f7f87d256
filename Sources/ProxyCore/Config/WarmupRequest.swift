/// What a warmup ping sends (`warmup.chat` or `warmup.get`).
package enum WarmupRequest: Hashable, Sendable {
    /// A minimal completion in the backend's wire format (`POST …/chat/completions`, or
    /// `…/messages` for Anthropic) with `max_tokens` set: wakes the model itself.
    case chat(model: String, prompt: String, maxTokens: Int)
    /// `GET` of a cheap path under the base URL, such as `/models`: keeps DNS, TCP and TLS warm.
    case get(path: String)
}
