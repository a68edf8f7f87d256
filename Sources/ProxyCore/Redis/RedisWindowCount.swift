/// What a counter operation did and where the counter stands.
package struct RedisWindowCount: Hashable, Sendable {
    /// How much of the requested delta was added: all of it below the limit (or without
    /// one), the part that fits when the delta would cross the limit, 0 when the limit was
    /// already reached. A negative delta (a refund) is granted down to a count of zero.
    package var granted: Int64
    /// The count after the operation; for a sliding window, the weighted estimate the limit
    /// is checked against.
    package var count: Int64
    /// Time until the current window ends (a fixed or lifetime counter starts again from 0;
    /// a sliding one starts to decay).
    package var resetAfter: ProxyDuration
    /// When nothing was granted because the limit was reached: time until something would
    /// be (for `Retry-After`); zero otherwise.
    package var retryAfter: ProxyDuration

    package init(granted: Int64, count: Int64, resetAfter: ProxyDuration, retryAfter: ProxyDuration) {
        self.granted = granted
        self.count = count
        self.resetAfter = resetAfter
        self.retryAfter = retryAfter
    }
}
