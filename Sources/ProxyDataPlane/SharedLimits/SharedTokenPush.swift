import ProxyCore
import ProxyIO

/// Pushes one consumer's shared token counters to Redis (ADR 0026): each meter's change since
/// its last push (`UsageCounter.beginSync`), added without a limit to its counter, whose
/// gateway-wide total becomes this sidecar's view. A meter whose previous push has not
/// answered is left for the next push. Run by `RedisSyncDriver` every `syncInterval` (an
/// unchanged meter only as its `SyncPacing` says: `idleRefresh`), and in strict mode also as
/// soon as a request settles or gives back what it reserved (changed meters only), so the
/// other sidecars see the real usage rather than the estimate. Returns how many it pushed.
///
/// Called on a loop, with that loop's store and `LoopRedis`; completions run on it.
enum SharedTokenPush {
    static func push(_ limiter: TokenLimiter, of consumer: String, limits: RedisLimits, loop: LoopContext) {
        guard limiter.shared, let store = loop.redis.store(for: limits) else { return }
        push(limiter, of: consumer, limits: limits, store: store, redis: loop.redis, scheduler: loop.scheduler, idleRefresh: nil)
    }

    /// `idleRefresh`: nil pushes changed meters only. At most `max` pushes.
    @discardableResult
    static func push(_ limiter: TokenLimiter, of consumer: String, limits: RedisLimits, store: any SharedCounters,
                     redis: LoopRedis, scheduler: any SessionScheduler, idleRefresh: ProxyDuration?, max: Int = .max) -> Int {
        let failMode = limits.config.failMode
        let freshness = limits.freshness
        let now = MeterInstant(monotonic: scheduler.now(), wallNanoseconds: scheduler.wallNanoseconds())
        var pushed = 0
        for meter in limiter.meters where pushed < max {
            guard let delta = meter.counter.beginSync(at: now.monotonic, idleRefresh: idleRefresh) else { continue }
            pushed += 1
            let (period, _) = meter.kind.period(at: now)
            let counter = RedisLimits.tokenCounter(prefix: limits.config.keyPrefix, consumer: consumer, meter: meter,
                                                   period: period, currency: limiter.currency)
            store.increment(counter.key, by: delta, limit: nil, window: counter.window) { result in
                switch result {
                case .success(let count):
                    redis.recordSuccess()
                    meter.counter.syncSucceeded(total: count.count, period: period)
                    freshness.synced(at: scheduler.now())
                case .failure(let failure):
                    redis.recordFailure(failure, failMode: failMode)
                    meter.counter.syncFailed(delta: delta, mayHaveRun: failure.mayHaveRun)
                }
            }
        }
        return pushed
    }
}
