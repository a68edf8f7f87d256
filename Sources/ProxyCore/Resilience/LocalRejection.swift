/// Why the sidecar did not send an attempt to a backend at all: its own protection, not
/// the provider's answer. Always moves on to the next fallback; never retried on the same backend.
package enum LocalRejection: String, Hashable, Sendable {
    /// `maxConcurrentRequests` are in flight and the backend has no queue.
    case noQueue
    /// The backend's wait queue is full.
    case queueFull
    /// The request waited `queue.maxWait` without getting a slot.
    case queueTimeout
    /// The circuit breaker has ejected the backend.
    case ejected
}
