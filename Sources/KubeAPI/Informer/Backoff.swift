import ProxyCore

/// Capped exponential backoff: `initial`, twice that, … up to `maximum`.
///
/// Pure: the caller counts consecutive failures and sleeps the returned delay.
package struct Backoff: Hashable, Sendable {
    package var initial: ProxyDuration
    package var maximum: ProxyDuration

    package init(initial: ProxyDuration = .milliseconds(200), maximum: ProxyDuration = .seconds(30)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The delay before the next attempt after `failures` consecutive failures (1 or more);
    /// zero when there was none.
    package func delay(afterFailures failures: Int) -> ProxyDuration {
        guard failures > 0 else { return .zero }
        var delay = initial.nanoseconds
        for _ in 1..<min(failures, 64) {
            let (doubled, overflow) = delay.multipliedReportingOverflow(by: 2)
            if overflow || doubled >= maximum.nanoseconds { return maximum }
            delay = doubled
        }
        return ProxyDuration(nanoseconds: min(delay, maximum.nanoseconds))
    }
}
