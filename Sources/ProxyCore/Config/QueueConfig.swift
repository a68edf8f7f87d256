/// The wait queue in front of a backend's `maxConcurrentRequests` (see `ConcurrencyLimiter`).
package struct QueueConfig: Hashable, Sendable {
    /// Requests that may wait for a slot; 0 (the default) means none: a request over the
    /// limit goes to the next fallback at once, or gets 503.
    package let size: Int
    /// The longest a request waits in the queue before it falls back (or gets 503). Must be
    /// positive when `size` is.
    package let maxWait: ProxyDuration

    /// The largest `size`.
    package static let maxSize = 100_000

    /// No queue.
    package static let none = QueueConfig(size: 0, maxWait: .zero)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(size: Int, maxWait: ProxyDuration) {
        self.size = size
        self.maxWait = maxWait
    }
}
