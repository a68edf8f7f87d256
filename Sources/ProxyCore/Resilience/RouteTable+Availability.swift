/// Re-picking a routing decision's split entry around ejected and slow backends.
extension RouteTable {
    /// `decision` with its split entry picked again among available backends, with weights
    /// scaled by `weightPercent(backendIndex)` (latency shifting); the same decision when no
    /// entry of its route is affected (so sticky picks are stable while nothing is shifted).
    ///
    /// When no backend of the split is available, the decision is returned unchanged: better
    /// to try an ejected backend (and fall back) than to refuse (Envoy's panic threshold).
    /// `headers` and `random` must be the ones given to `route`. Pure, non-blocking.
    package func adjust(_ decision: RouteDecision, model: String?, headers: HTTPHeaders, random: UInt64,
                        weightPercent: (Int) -> Int, available: (Int) -> Bool) -> RouteDecision {
        let route = routes[decision.routeIndex]
        guard route.entries.count > 1 else { return decision }
        let position: UInt64
        switch decision.selection {
        case .single, .random, .auto: position = random
        case .sticky: position = StickyHash.hash(headers.first(route.stickyHeader ?? "") ?? "")
        }
        let entries = route.entries
        guard let index = route.picker.pick(position: position, weightPercent: { weightPercent(entries[$0].backendIndex) },
                                            available: { available(entries[$0].backendIndex) }),
              index != decision.splitIndex else { return decision }
        let entry = entries[index]
        return RouteDecision(routeIndex: decision.routeIndex, routeName: decision.routeName, splitIndex: index,
                             backendIndex: entry.backendIndex, backendName: entry.backendName,
                             upstreamModel: entry.upstreamModel(for: model),
                             selection: decision.selection == .single ? .random : decision.selection)
    }
}
