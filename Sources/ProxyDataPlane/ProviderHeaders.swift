import ProxyCore

/// Header rules for attempts translated to another provider's API (`AttemptTranslation`).
enum ProviderHeaders {
    /// The `anthropic-version` sent with a request translated to Anthropic's Messages API: the
    /// version whose wire format the translators follow.
    static let anthropicVersion = "2023-06-01"

    /// Whether a client field goes along when the request is translated: Anthropic's own
    /// fields (`anthropic-version`, `anthropic-beta`, …) describe the client's API, not the
    /// backend's, and stay behind.
    static func crossesTranslation(_ name: String) -> Bool {
        !(name.utf8.count > 10 && HTTPHeaders.namesEqual(String(name.prefix(10)), "anthropic-"))
    }
}
