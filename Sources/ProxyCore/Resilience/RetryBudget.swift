/// Caps retries at a share of requests over a sliding window, so that a failing backend
/// does not receive a storm of retries on top of its normal load (Envoy's retry budgets,
/// Finagle's `RetryBudget`). A minimum number of retries per window is always allowed, so
/// that low-traffic routes can still retry.
///
/// The window is split into `buckets` slices of counters; a slice older than the window
/// is forgotten as time moves on. Time comes from the caller. A value owned by one event
/// loop (one per route per loop): no locks. The share is the same on every loop, so
/// per-loop budgets enforce the configured percentage; the minimum applies per loop.
package struct RetryBudget: Sendable {
    /// Retries allowed as a percentage of requests in the window (0 to 100).
    package let percent: Int
    /// Retries always allowed per window, whatever the traffic.
    package let minRetries: Int
    /// The sliding window.
    package let window: ProxyDuration

    private let bucketWidth: UInt64
    private var epochs: [UInt64]
    private var requests: [Int]
    private var retries: [Int]

    /// A budget of `percent` % of requests over `window` (default 10s, in 10 slices), at
    /// least `minRetries` (default 10) per window.
    package init(percent: Int, minRetries: Int = 10, window: ProxyDuration = .seconds(10), buckets: Int = 10) {
        precondition(buckets > 0, "a retry budget needs at least one bucket")
        self.percent = Swift.min(Swift.max(percent, 0), 100)
        self.minRetries = Swift.max(minRetries, 0)
        self.window = window
        bucketWidth = Swift.max(window.nanoseconds / UInt64(buckets), 1)
        epochs = Array(repeating: .max, count: buckets)
        requests = Array(repeating: 0, count: buckets)
        retries = Array(repeating: 0, count: buckets)
    }

    /// Counts one client request (call once per request, at its start).
    package mutating func recordRequest(at now: ProxyInstant) {
        let index = bucket(at: now)
        requests[index] = requests[index] &+ 1
    }

    /// Counts one retry (call when performing a `.retry` action).
    package mutating func recordRetry(at now: ProxyInstant) {
        let index = bucket(at: now)
        retries[index] = retries[index] &+ 1
    }

    /// Whether one more retry fits the budget now.
    package func canRetry(at now: ProxyInstant) -> Bool {
        let (requestCount, retryCount) = totals(at: now)
        let share = requestCount.multipliedReportingOverflow(by: percent)
        let allowed = share.overflow ? Int.max : share.partialValue / 100
        return retryCount < Swift.max(minRetries, allowed)
    }

    /// Requests and retries counted in the window ending at `now`.
    package func totals(at now: ProxyInstant) -> (requests: Int, retries: Int) {
        let current = now.nanoseconds / bucketWidth
        var requestCount = 0
        var retryCount = 0
        for index in epochs.indices where epochs[index] != .max && epochs[index] <= current
            && current - epochs[index] < UInt64(epochs.count) {
            requestCount = requestCount &+ requests[index]
            retryCount = retryCount &+ retries[index]
        }
        return (requestCount, retryCount)
    }

    /// The slot for `now`, cleared when it last held an older slice.
    private mutating func bucket(at now: ProxyInstant) -> Int {
        let epoch = now.nanoseconds / bucketWidth
        let index = Int(epoch % UInt64(epochs.count))
        if epochs[index] != epoch {
            epochs[index] = epoch
            requests[index] = 0
            retries[index] = 0
        }
        return index
    }
}
