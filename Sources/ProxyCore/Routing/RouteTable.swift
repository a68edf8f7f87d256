/// The routes of one config, compiled for the request path: conditions as bytes, globs and
/// regexes compiled, backends resolved to indices, weights to cumulative ranges.
///
/// Built once per config snapshot, off the request path, and published with it: immutable and
/// safe to share across event loops. `route` runs per request: it neither allocates (a regex's
/// scratch space is on the stack unless its program is large) nor builds strings nor looks
/// anything up by name except request headers.
package final class RouteTable: Sendable {
    let routes: [CompiledRoute]
    /// Route names by index (for metrics label sets resolved at config time).
    package let routeNames: [String]
    /// Backend names by index, as in `ProxyConfig.backends`.
    package let backendNames: [String]
    /// The model registry `auto` models choose from.
    package let registry: ModelRegistry
    /// Whether any route declares `auto` models (else the route phase skips looking).
    let hasAutoModels: Bool

    /// Compiles `config`'s routes. Throws only for a config that skipped `ProxyConfigDecoder`
    /// (unknown backend, invalid regex, no positive weight).
    package init(_ config: ProxyConfig) throws(ProxyConfigError) {
        var issues: [ConfigIssue] = []
        var routes: [CompiledRoute] = []
        let registry = ModelRegistry(config)
        for (routeIndex, route) in config.routes.enumerated() {
            let path = "routes[\(routeIndex)]"
            var entries: [CompiledSplitEntry] = []
            for (entryIndex, entry) in route.split.enumerated() {
                guard let backendIndex = config.backendIndex(named: entry.backend) else {
                    issues.append(ConfigIssue(path: "\(path).split[\(entryIndex)].backend", message: "unknown backend \(ConfigIssue.quoted(entry.backend))"))
                    continue
                }
                let backend = config.backends[backendIndex]
                entries.append(CompiledSplitEntry(backendIndex: backendIndex, backendName: backend.name, weight: entry.weight,
                                                  model: entry.model, backendModels: backend.models))
            }
            guard let picker = WeightedPicker(weights: route.split.map(\.weight)) else {
                issues.append(ConfigIssue(path: "\(path).split", message: "weights sum to 0; at least one entry needs a positive weight"))
                continue
            }
            var model: CompiledModelMatcher? = nil
            if let match = route.match?.model {
                model = CompiledModelMatcher(match)
                if model == nil { issues.append(ConfigIssue(path: "\(path).match.model", message: "not a valid regular expression")) }
            }
            var headers: [CompiledHeaderMatcher] = []
            for (headerIndex, header) in (route.match?.headers ?? []).enumerated() {
                guard let compiled = CompiledHeaderMatcher(header) else {
                    issues.append(ConfigIssue(path: "\(path).match.headers[\(headerIndex)].regex", message: "not a valid regular expression"))
                    continue
                }
                headers.append(compiled)
            }
            let positive = route.split.indices.filter { route.split[$0].weight > 0 }
            let auto = route.auto.enumerated().map { index, auto in
                CompiledAutoModel(auto, registry: registry, backends: config.backends, at: "\(path).auto[\(index)]", issues: &issues)
            }
            routes.append(CompiledRoute(name: route.name, paths: route.match?.paths?.map { Array($0.utf8) }, model: model,
                                        headers: headers, entries: entries, picker: picker,
                                        onlyEntry: positive.count == 1 ? positive[0] : nil, stickyHeader: route.sticky?.header,
                                        auto: auto))
        }
        guard issues.isEmpty else { throw ProxyConfigError(issues: issues) }
        self.routes = routes
        routeNames = config.routes.map(\.name)
        backendNames = config.backends.map(\.name)
        self.registry = registry
        hasAutoModels = config.routes.contains { !$0.auto.isEmpty }
    }

    /// The decision for one request, or nil when no route matches (answer 404).
    ///
    /// `path` is the request target's path; a `?query` is ignored. Only paths starting with `/`
    /// are routed: `OPTIONS *` names the server, not a resource, and is answered 404 as Envoy
    /// does, never sent upstream. `model` is the body's
    /// `model`, nil when absent. `random` is any uniformly random `UInt64` from the caller;
    /// it is only used when the route splits by weight and the request is not sticky.
    /// Called on the request's event loop; pure and non-blocking.
    package func route(path: UnsafeRawBufferPointer, model: String?, headers: HTTPHeaders, random: UInt64) -> RouteDecision? {
        guard path.first == UInt8(ascii: "/") else { return nil }
        let path = Self.withoutQuery(path)
        for index in routes.indices {
            guard routes[index].firstMismatch(path: path, model: model, headers: headers) == nil else { continue }
            return decide(routeIndex: index, model: model, headers: headers, random: random)
        }
        return nil
    }

    /// `route(path:model:headers:random:)` for a path held as a string.
    package func route(path: some StringProtocol, model: String?, headers: HTTPHeaders, random: UInt64) -> RouteDecision? {
        let decision = path.utf8.withContiguousStorageIfAvailable {
            route(path: UnsafeRawBufferPointer($0), model: model, headers: headers, random: random)
        }
        if let decision { return decision }
        return Array(path.utf8).withUnsafeBytes { route(path: $0, model: model, headers: headers, random: random) }
    }

    /// The same decision as `route`, with the reason each earlier route did not match and how
    /// the entry and model were chosen. For `POST /explain`; allocates freely.
    package func explain(path: String, model: String?, headers: HTTPHeaders, random: UInt64) -> RouteExplanation {
        var skipped: [String] = []
        let bytes = Array(path.utf8)
        return bytes.withUnsafeBytes { buffer in
            guard buffer.first == UInt8(ascii: "/") else {
                return RouteExplanation(decision: nil, skipped: [], outcome: "no route matched: only paths starting with \"/\" are routed")
            }
            let path = Self.withoutQuery(buffer)
            for index in routes.indices {
                let route = routes[index]
                let prefix = "routes[\(index)] \(route.name): "
                switch route.firstMismatch(path: path, model: model, headers: headers) {
                case .path?:
                    let shown = ConfigIssue.quoted(String(decoding: path, as: UTF8.self))
                    let expected = (route.paths ?? []).map { ConfigIssue.quoted(String(decoding: $0, as: UTF8.self)) }
                    skipped.append(prefix + "path \(shown) is not " + (expected.count == 1 ? expected[0] : "one of " + expected.joined(separator: ", ")))
                case .model?:
                    let expected = route.model?.description ?? ""
                    if let model {
                        skipped.append(prefix + "model \(ConfigIssue.quoted(model)) does not match \(expected)")
                    } else {
                        skipped.append(prefix + "the request has no model; expected \(expected)")
                    }
                case .header(let headerIndex)?:
                    skipped.append(prefix + route.headers[headerIndex].mismatchReason(headers))
                case nil:
                    let decision = decide(routeIndex: index, model: model, headers: headers, random: random)
                    return RouteExplanation(decision: decision, skipped: skipped,
                                            outcome: prefix + describe(decision, route: route, model: model, headers: headers, random: random))
                }
            }
            return RouteExplanation(decision: nil, skipped: skipped, outcome: "no route matched")
        }
    }

    private func decide(routeIndex: Int, model: String?, headers: HTTPHeaders, random: UInt64) -> RouteDecision {
        let route = routes[routeIndex]
        let (entryIndex, selection) = route.choose(headers: headers, random: random)
        let entry = route.entries[entryIndex]
        return RouteDecision(routeIndex: routeIndex, routeName: route.name, splitIndex: entryIndex, backendIndex: entry.backendIndex,
                             backendName: entry.backendName, upstreamModel: entry.upstreamModel(for: model), selection: selection)
    }

    /// `matched; sticky on "x-user-id" (point 1234 of 10000) picked split[1] backend "deepseek" (weight 10 of 100); upstream model "deepseek-chat" (from the split entry)`.
    private func describe(_ decision: RouteDecision, route: CompiledRoute, model: String?, headers: HTTPHeaders, random: UInt64) -> String {
        let entry = route.entries[decision.splitIndex]
        let picked = "split[\(decision.splitIndex)] backend \(ConfigIssue.quoted(entry.backendName))"
        var text = "matched; "
        switch decision.selection {
        case .single:
            text += "\(picked) is the only entry with a positive weight"
        case .sticky:
            let header = route.stickyHeader ?? ""
            let point = WeightedPicker.basisPoints(StickyHash.hash(headers.first(header) ?? ""))
            text += "sticky on \(ConfigIssue.quoted(header)) (point \(point) of 10000) picked \(picked) (weight \(entry.weight) of \(route.picker.total))"
        case .auto:
            text += "\(picked) (an auto model then ranks the registry)"
        case .random:
            let point = WeightedPicker.basisPoints(random)
            let why = route.stickyHeader.map { "sticky header \(ConfigIssue.quoted($0)) is absent, so " } ?? ""
            text += "\(why)random point \(point) of 10000 picked \(picked) (weight \(entry.weight) of \(route.picker.total))"
        }
        switch decision.upstreamModel {
        case nil:
            text += "; no model"
        case let upstream? where entry.model != nil:
            text += "; upstream model \(ConfigIssue.quoted(upstream)) (from the split entry)"
        case let upstream? where model.flatMap({ entry.backendModels[$0] }) != nil:
            text += "; upstream model \(ConfigIssue.quoted(upstream)) (from backend \(ConfigIssue.quoted(entry.backendName))'s models map)"
        case let upstream?:
            text += "; upstream model \(ConfigIssue.quoted(upstream)) (the client's, unchanged)"
        }
        return text
    }

    /// The path up to its first `?`.
    private static func withoutQuery(_ path: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let question = path.firstIndex(of: UInt8(ascii: "?")) else { return path }
        return UnsafeRawBufferPointer(rebasing: path[..<question])
    }
}
