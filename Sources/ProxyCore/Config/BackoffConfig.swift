/// Exponential backoff between retries, with full jitter (see `Backoff`).
package struct BackoffConfig: Hashable, Sendable {
    /// The ceiling of the first retry's wait; doubles for each later retry. Default 100ms.
    package let base: ProxyDuration
    /// The largest ceiling. Default 2s; at least `base`.
    package let max: ProxyDuration

    /// 100ms, doubling up to 2s.
    package static let `default` = BackoffConfig(base: .milliseconds(100), max: .seconds(2))

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(base: ProxyDuration, max: ProxyDuration) {
        self.base = base
        self.max = max
    }
}
