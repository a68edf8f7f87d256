/// A route's fallback chain and, optionally, its own triggers.
package struct FallbackConfig: Hashable, Sendable {
    /// Tried in order after the primary pick (and its retries) fail with a trigger; at least one entry.
    package let chain: [FallbackEntryConfig]
    /// The route's triggers; nil uses `defaults.fallbackOn`. Replaces them as a whole: fields
    /// omitted here take the built-in defaults (`FallbackTriggers.default`).
    package let on: FallbackTriggers?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(chain: [FallbackEntryConfig], on: FallbackTriggers? = nil) {
        self.chain = chain
        self.on = on
    }
}
