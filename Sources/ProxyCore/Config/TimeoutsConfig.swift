/// The upstream timeouts: four always set, the first-token timeout only when configured.
package struct TimeoutsConfig: Hashable, Sendable {
    /// Establishing the TCP (and TLS) connection. Default 2s.
    package let connect: ProxyDuration
    /// From sending the request to the response head. Default 60s.
    package let firstByte: ProxyDuration
    /// From sending the request to the first token: a stream's first data event (SSE comments
    /// such as `: keep-alive` do not count) or a JSON body's first non-whitespace byte. While it
    /// runs, a 2xx stream is held from the client, so the attempt can still fail over. Off by default.
    package let firstToken: ProxyDuration?
    /// The longest gap between two received chunks once the response has started. Default 30s.
    package let idle: ProxyDuration
    /// The whole attempt, first byte of the request to last byte of the response. Default 10m.
    package let total: ProxyDuration

    /// 2s connect, 60s first byte, 30s idle, 10m total.
    package static let `default` = TimeoutsConfig(connect: .seconds(2), firstByte: .seconds(60),
                                                  idle: .seconds(30), total: .seconds(600))

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(connect: ProxyDuration, firstByte: ProxyDuration, firstToken: ProxyDuration? = nil, idle: ProxyDuration,
                 total: ProxyDuration) {
        self.connect = connect
        self.firstByte = firstByte
        self.firstToken = firstToken
        self.idle = idle
        self.total = total
    }

    /// These timeouts with every field `overrides` sets replaced.
    package func applying(_ overrides: TimeoutOverrides) -> TimeoutsConfig {
        TimeoutsConfig(connect: overrides.connect ?? connect, firstByte: overrides.firstByte ?? firstByte,
                       firstToken: overrides.firstToken ?? firstToken, idle: overrides.idle ?? idle, total: overrides.total ?? total)
    }
}
