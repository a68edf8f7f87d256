/// Where one request goes: the route that matched, the split entry picked, its backend and the
/// model name to send upstream.
///
/// Indices point into `ProxyConfig.routes`, the route's `split` and `ProxyConfig.backends` of
/// the config the `RouteTable` was built from; names are shared with it (no copy per request).
package struct RouteDecision: Hashable, Sendable {
    /// How the split entry was chosen.
    package enum Selection: Hashable, Sendable {
        /// Only one entry has a positive weight.
        case single
        /// Weighted, from the caller's random number.
        case random
        /// Weighted, from the hash of the sticky header's value.
        case sticky
        /// Ranked by the route's `auto` model (`AutoRouteChoice`); the split was not used.
        case auto
    }

    /// The index of the route in `ProxyConfig.routes`.
    package let routeIndex: Int
    /// For `x-sluice-route` and metrics.
    package let routeName: String
    /// The index of the picked entry in the route's `split`.
    package let splitIndex: Int
    /// The index of the backend in `ProxyConfig.backends`.
    package let backendIndex: Int
    /// For `x-sluice-backend` and metrics.
    package let backendName: String
    /// The model to put in the upstream request; nil when neither the client nor the config named one.
    package let upstreamModel: String?
    /// How the entry was chosen (for logs and explain).
    package let selection: Selection

    /// A value with exactly these fields.
    package init(routeIndex: Int, routeName: String, splitIndex: Int, backendIndex: Int, backendName: String,
                 upstreamModel: String?, selection: Selection) {
        self.routeIndex = routeIndex
        self.routeName = routeName
        self.splitIndex = splitIndex
        self.backendIndex = backendIndex
        self.backendName = backendName
        self.upstreamModel = upstreamModel
        self.selection = selection
    }
}
