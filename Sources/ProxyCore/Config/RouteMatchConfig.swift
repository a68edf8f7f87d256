/// A route's conditions. Each one that is set must hold; an empty match matches everything.
package struct RouteMatchConfig: Hashable, Sendable {
    /// Exact request paths (without query); nil matches any path.
    package let paths: [String]?
    /// A condition on the request body's `model`; nil matches any model, and requests without one.
    package let model: ModelMatch?
    /// Conditions on request headers, all of which must hold.
    package let headers: [HeaderMatch]

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(paths: [String]? = nil, model: ModelMatch? = nil, headers: [HeaderMatch] = []) {
        self.paths = paths
        self.model = model
        self.headers = headers
    }

    /// Whether there is no condition at all.
    package var isEmpty: Bool { paths == nil && model == nil && headers.isEmpty }
}
