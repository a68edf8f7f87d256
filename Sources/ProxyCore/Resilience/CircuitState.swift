/// A circuit breaker's state.
package enum CircuitState: Hashable, Sendable {
    /// Healthy: every request goes through.
    case closed
    /// Ejected until `until`: no request goes through.
    case open(until: ProxyInstant)
    /// The cooldown is over: one probe request may go through (`probeInFlight` once it has).
    case halfOpen(probeInFlight: Bool)
}
