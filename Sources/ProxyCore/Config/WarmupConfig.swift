/// Keep-alive warmup pings for a backend (see `WarmupScheduler`).
package struct WarmupConfig: Hashable, Sendable {
    /// Ping only after this long without real traffic. Default 5m.
    package let idleAfter: ProxyDuration
    /// The time between pings while idle. Default 1m.
    package let interval: ProxyDuration
    /// What a ping sends.
    package let request: WarmupRequest

    /// The default prompt of a chat ping.
    package static let defaultPrompt = "ping"
    /// The largest `maxTokens` of a chat ping.
    package static let maxTokensLimit = 16

    /// 5m.
    package static let defaultIdleAfter = ProxyDuration.seconds(300)
    /// 1m.
    package static let defaultInterval = ProxyDuration.seconds(60)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(idleAfter: ProxyDuration = defaultIdleAfter, interval: ProxyDuration = defaultInterval, request: WarmupRequest) {
        self.idleAfter = idleAfter
        self.interval = interval
        self.request = request
    }
}
