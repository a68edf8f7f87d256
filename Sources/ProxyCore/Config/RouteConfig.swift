/// One route: conditions, and the weighted split that receives what matches.
package struct RouteConfig: Hashable, Sendable {
    /// Unique among routes; appears in `x-sluice-route` and metrics labels.
    package let name: String
    /// The conditions, all of which must hold; nil makes the route a catch-all (then it must be last).
    package let match: RouteMatchConfig?
    /// Where matching requests go, by weight; at least one entry, weights summing to more than 0.
    package let split: [SplitEntryConfig]
    /// Hash this header to pick the split entry, so a user keeps their side of a gray release.
    package let sticky: StickyConfig?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, match: RouteMatchConfig? = nil, split: [SplitEntryConfig], sticky: StickyConfig? = nil) {
        self.name = name
        self.match = match
        self.split = split
        self.sticky = sticky
    }

    /// Whether the route matches every request (no conditions at all).
    package var isCatchAll: Bool { match?.isEmpty ?? true }
}
