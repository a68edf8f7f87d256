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

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(p95Above: ProxyDuration, window: ProxyDuration = .seconds(60), weightPercent: Int = 10,
                 cooldown: ProxyDuration = .seconds(300)) {
        self.p95Above = p95Above
        self.window = window
        self.weightPercent = weightPercent
        self.cooldown = cooldown
    }
}
