/// Where one attempt goes: a backend (by index into `ProxyConfig.backends`) and the model to
/// put in the upstream request.
package struct AttemptTarget: Hashable, Sendable {
    /// The index of the backend in `ProxyConfig.backends`.
    package let backendIndex: Int
    /// For `x-sluice-backend`, logs and metrics.
    package let backendName: String
    /// The upstream model; nil when neither the client nor the config named one.
    package let model: String?

    /// A target with exactly these fields.
    package init(backendIndex: Int, backendName: String, model: String?) {
        self.backendIndex = backendIndex
        self.backendName = backendName
        self.model = model
    }

    /// The primary target of a routing decision.
    package init(_ decision: RouteDecision) {
        self.init(backendIndex: decision.backendIndex, backendName: decision.backendName, model: decision.upstreamModel)
    }
}
