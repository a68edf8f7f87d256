import ProxyCore
import ProxyIO

/// One loop's connection to the gateway's Redis: the counter store made for the current
/// settings (remade when a reload changes them), and the failures seen, counted and logged
/// (once when Redis starts failing on this loop, once when it answers again).
///
/// Loop-confined.
final class LoopRedis {
    /// Makes a store for the settings (production: a `RedisClient` on this loop); nil: no
    /// store can be made, every shared limit fails over to `failMode`.
    var makeStore: ((RedisLimits) -> (any SharedCounters)?)?
    private var current: (identity: RedisLimits.Identity, store: any SharedCounters)?
    private var failing = false
    private let metrics: DataPlaneMetrics

    init(metrics: DataPlaneMetrics) {
        self.metrics = metrics
    }

    /// The store for `limits`, made on first use and whenever the settings change.
    func store(for limits: RedisLimits) -> (any SharedCounters)? {
        if let current, current.identity == limits.identity { return current.store }
        current?.store.close()
        current = nil
        guard let store = makeStore?(limits) else { return nil }
        current = (limits.identity, store)
        return store
    }

    /// Closes the store (the loop is stopping, or the config no longer has Redis).
    func close() {
        current?.store.close()
        current = nil
    }

    /// Counts a failed counter operation (`sluice_redis_failures_total{reason}`) and logs the
    /// first of a run of failures.
    func recordFailure(_ failure: RedisFailure, failMode: RedisConfig.FailMode) {
        metrics.redisFailures.series(labelValues: [Self.reason(failure)]).increment()  // lint: allow-series (once per failure)
        guard !failing else { return }
        failing = true
        StandardStreams.writeLine(DataPlane.event("redis_failing", ["error": failure.description, "failMode": failMode.rawValue]))
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
