/// A backend's timeouts: each field nil unless the config sets it, so the defaults apply.
package struct TimeoutOverrides: Hashable, Sendable {
    /// Overrides `TimeoutsConfig.connect` when set.
    package let connect: ProxyDuration?
    /// Overrides `TimeoutsConfig.firstByte` when set.
    package let firstByte: ProxyDuration?
    /// Overrides `TimeoutsConfig.firstToken` when set.
    package let firstToken: ProxyDuration?
    /// Overrides `TimeoutsConfig.idle` when set.
    package let idle: ProxyDuration?
    /// Overrides `TimeoutsConfig.total` when set.
    package let total: ProxyDuration?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(connect: ProxyDuration? = nil, firstByte: ProxyDuration? = nil, firstToken: ProxyDuration? = nil,
                 idle: ProxyDuration? = nil, total: ProxyDuration? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.firstToken = firstToken
        self.idle = idle
        self.total = total
    }

    /// Whether no field is set (the backend has no `timeouts` of its own).
    package var isEmpty: Bool { connect == nil && firstByte == nil && firstToken == nil && idle == nil && total == nil }
}
