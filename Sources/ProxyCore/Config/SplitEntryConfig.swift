/// One side of a route's split: a backend, its weight and optionally the upstream model.
package struct SplitEntryConfig: Hashable, Sendable {
    /// The name of a backend in `ProxyConfig.backends`.
    package let backend: String
    /// Relative share, 0 to 1,000,000; 0 drains the entry (never picked).
    package let weight: Int
    /// The model name to send upstream; nil applies the backend's `models` map to the client's
    /// model, or passes it through unchanged.
    package let model: String?

    /// The largest weight accepted, so sums never overflow.
    package static let maxWeight = 1_000_000

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(backend: String, weight: Int, model: String? = nil) {
        self.backend = backend
        self.weight = weight
        self.model = model
    }
}
