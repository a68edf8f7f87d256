/// Settings that apply to every backend and request unless overridden.
package struct DefaultsConfig: Hashable, Sendable {
    /// The largest request body accepted, in bytes (default 8 MiB, at most 1 GiB).
    package let maxRequestBodyBytes: Int
    /// Upstream timeouts; each backend may override single fields.
    package let timeouts: TimeoutsConfig

    /// 8 MiB, when the config does not say.
    package static let defaultMaxRequestBodyBytes = 8 << 20
    /// The largest `maxRequestBodyBytes` accepted: 1 GiB.
    package static let maxRequestBodyBytesLimit = 1 << 30

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(timeouts: TimeoutsConfig = .default, maxRequestBodyBytes: Int = defaultMaxRequestBodyBytes) {
        self.timeouts = timeouts
        self.maxRequestBodyBytes = maxRequestBodyBytes
    }
}
