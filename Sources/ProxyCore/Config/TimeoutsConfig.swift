/// The four upstream timeouts, all set.
package struct TimeoutsConfig: Hashable, Sendable {
    /// Establishing the TCP (and TLS) connection. Default 2s.
    package let connect: ProxyDuration
    /// From sending the request to the first response byte (time to first token). Default 60s.
    package let firstByte: ProxyDuration
    /// The longest gap between two received chunks once the response has started. Default 30s.
    package let idle: ProxyDuration
    /// The whole attempt, first byte of the request to last byte of the response. Default 10m.
    package let total: ProxyDuration

    /// 2s connect, 60s first byte, 30s idle, 10m total.
    package static let `default` = TimeoutsConfig(connect: .seconds(2), firstByte: .seconds(60),
                                                  idle: .seconds(30), total: .seconds(600))

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(connect: ProxyDuration, firstByte: ProxyDuration, idle: ProxyDuration, total: ProxyDuration) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }

    /// These timeouts with every field `overrides` sets replaced.
    package func applying(_ overrides: TimeoutOverrides) -> TimeoutsConfig {
        TimeoutsConfig(connect: overrides.connect ?? connect, firstByte: overrides.firstByte ?? firstByte,
                       idle: overrides.idle ?? idle, total: overrides.total ?? total)
    }
}
