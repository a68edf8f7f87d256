import ProxyCore
import ProxyIO

/// One loop's connection to the gateway's Redis: the counter and cache stores made for the
/// current settings (remade when a reload changes them), and the failures seen, counted and
/// logged (once when Redis starts failing on this loop, once when it answers again).
///
/// Loop-confined.
final class LoopRedis {
    /// Makes the stores for the settings (production: one `RedisClient` on this loop); nil: no
    /// store can be made, every shared limit fails over to `failMode` and the cache's Redis
    /// tier misses.
    var makeStores: ((RedisLimits) -> RedisStores?)?
    private var current: (identity: RedisLimits.Identity, stores: RedisStores)?
    private var failing = false
    private let metrics: DataPlaneMetrics

    init(metrics: DataPlaneMetrics) {
        self.metrics = metrics
    }

    /// The counter store for `limits`, made on first use and whenever the settings change.
    func store(for limits: RedisLimits) -> (any SharedCounters)? {
        stores(for: limits)?.counters
    }

    /// The cache store for `limits`, over the same client as the counters.
    func cacheStore(for limits: RedisLimits) -> (any SharedCache)? {
        stores(for: limits)?.cache
    }

    private func stores(for limits: RedisLimits) -> RedisStores? {
        if let current, current.identity == limits.identity { return current.stores }
        current?.stores.close()
        current = nil
        guard let stores = makeStores?(limits) else { return nil }
        current = (limits.identity, stores)
        return stores
    }

    /// Closes the stores (the loop is stopping, or the config no longer has Redis).
    func close() {
        current?.stores.close()
        current = nil
    }

    /// Counts a failed operation (`sluice_redis_failures_total{reason}`) and logs the first of
    /// a run of failures; `failMode` is what a shared limit does meanwhile (nil for the cache,
    /// which misses).
    func recordFailure(_ failure: RedisFailure, failMode: RedisConfig.FailMode?) {
        metrics.redisFailures.series(labelValues: [Self.reason(failure)]).increment()  // lint: allow-series (once per failure)
        guard !failing else { return }
        failing = true
        var fields = ["error": failure.description]
        if let failMode { fields["failMode"] = failMode.rawValue }
        StandardStreams.writeLine(DataPlane.event("redis_failing", fields))
    }

    /// Notes an answer: logs the recovery after a run of failures.
    func recordSuccess() {
        guard failing else { return }
        failing = false
        StandardStreams.writeLine(DataPlane.event("redis_recovered", [:]))
    }

    /// The bounded `reason` label of a failure.
    static func reason(_ failure: RedisFailure) -> String {
        switch failure {
        case .timeout: "timeout"
        case .connectionLost: "connection_lost"
        case .unavailable, .closed: "unavailable"
        case .overloaded: "overloaded"
        case .tooManyRedirections: "redirections"
        case .serverError, .unexpectedReply: "error"
        }
    }
}
