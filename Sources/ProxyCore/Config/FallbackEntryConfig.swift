/// One step of a route's fallback chain: a backend and optionally the upstream model to ask it for.
package struct FallbackEntryConfig: Hashable, Sendable {
    /// The name of a backend in `ProxyConfig.backends`.
    package let backend: String
    /// The upstream model; nil applies the backend's `models` map to the client's model, or
    /// passes it through unchanged (as for split entries).
    package let model: String?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(backend: String, model: String? = nil) {
        self.backend = backend
        self.model = model
    }
}
