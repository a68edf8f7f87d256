import ProxyCore
import ProxyIO

/// Counters shared by every sidecar of a gateway: the seam between the limits that use them
/// and the store that keeps them (Redis, through `RedisCounterStore`; a scripted store in the
/// level-2 tests). Request limits use it today; token limits and quotas can use the same
/// operation (an increment with a limit is a reservation trimmed to what remains; a negative
/// delta without a limit settles it) under their own counter names in the consumer's hash tag.
///
/// Loop-confined: one per event loop, called on its thread; completions run there, never
/// inside the call.
protocol SharedCounters: AnyObject {
    /// Adds `delta` to the counter's window if it stays within `limit` (the part that fits),
    /// or unconditionally without a limit; see `RedisCounterStore.increment`.
    func increment(_ key: RedisCounterKey, by delta: Int64, limit: Int64?, window: RedisWindow,
                   _ completion: @escaping (Result<RedisWindowCount, RedisFailure>) -> Void)
    /// Closes the connections; pending completions fail with `.closed`.
    func close()
}

extension RedisCounterStore: SharedCounters {
    func close() { client.close() }
}
