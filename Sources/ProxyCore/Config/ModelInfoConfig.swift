/// What the registry knows about one upstream model of a backend (`backends[].modelInfo`):
/// its limits, capabilities, free tags and quality tier. Prices stay in `backends[].prices`.
package struct ModelInfoConfig: Hashable, Sendable {
    /// Prompt plus output tokens the model accepts.
    package let contextWindow: Int
    /// The most output tokens the model produces; nil: limited by the context window only.
    package let maxOutputTokens: Int?
    /// What the model can do.
    package let capabilities: ModelCapabilities
    /// Free labels class rules can require (`cheap`, `strong`, `eu`…).
    package let tags: [String]
    /// Quality tier, 0 (default) to `maxTier`; class rules can require a minimum.
    package let tier: Int

    /// The highest tier accepted.
    package static let maxTier = 10
    /// The most tags per model.
    package static let maxTags = 32

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(contextWindow: Int, maxOutputTokens: Int? = nil, capabilities: ModelCapabilities = .init(),
                 tags: [String] = [], tier: Int = 0) {
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.capabilities = capabilities
        self.tags = tags
        self.tier = tier
    }
}
