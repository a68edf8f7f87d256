/// Latency-aware shifting: a slow backend's split weight is reduced for a while (see `LatencyShifter`).
package struct LatencyShiftConfig: Hashable, Sendable {
    /// Shift when the p95 time to first byte over `window` is above this. Required.
    package let p95Above: ProxyDuration
    /// The sliding window the p95 is computed over. Default 60s.
    package let window: ProxyDuration
    /// The backend's weight while shifted, in percent of its configured weight (0 to 99). Default 10.
    package let weightPercent: Int
    /// How long a shift lasts before the weight is restored. Default 5m.
    package let cooldown: ProxyDuration

    /// 60s.
    package static let defaultWindow = ProxyDuration.seconds(60)
    /// 10: a shifted backend keeps a tenth of its traffic, so its latency is still measured.
    package static let defaultWeightPercent = 10
    /// 5m.
    package static let defaultCooldown = ProxyDuration.seconds(300)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(p95Above: ProxyDuration, window: ProxyDuration = defaultWindow, weightPercent: Int = defaultWeightPercent,
                 cooldown: ProxyDuration = defaultCooldown) {
        self.p95Above = p95Above
        self.window = window
        self.weightPercent = weightPercent
        self.cooldown = cooldown
    }
}
