/// A backend's timeouts: each field nil unless the config sets it, so the defaults apply.
package struct TimeoutOverrides: Hashable, Sendable {
    package let connect: ProxyDuration?
    package let firstByte: ProxyDuration?
    package let idle: ProxyDuration?
    package let total: ProxyDuration?

    package init(connect: ProxyDuration? = nil, firstByte: ProxyDuration? = nil,
                 idle: ProxyDuration? = nil, total: ProxyDuration? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }

    /// Whether no field is set (the backend has no `timeouts` of its own).
    package var isEmpty: Bool { connect == nil && firstByte == nil && idle == nil && total == nil }
}
