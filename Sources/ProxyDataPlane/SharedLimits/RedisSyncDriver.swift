import ProxyCore
import ProxyIO

/// The reconciliation with Redis, every `syncInterval` on loop 0 (ADR 0009, ADR 0026):
/// - sync mode: each synced request window pushes what this sidecar admitted since the last
///   push and reads back the global total;
/// - both modes: each consumer's shared token meters push what changed here since the last
///   push (reservations in sync mode, charges, settlements and releases in both) and read back
///   the gateway-wide total, which becomes this sidecar's view (`UsageCounter`).
/// One counter-script run per window or meter (pipelined on the consumer's node). A counter
/// whose previous push has not answered is skipped this round.
///
/// Loop-confined to loop 0.
final class RedisSyncDriver {
    private let context: LoopContext
    private var timer: (any SessionTimer)?

    init(context: LoopContext) {
        self.context = context
        tick()
    }

    func stop() {
        timer?.cancel()
        timer = nil
    }

    private func tick() {
        var interval = RedisConfig.defaultSyncInterval
        if let limits = context.snapshot.redis {
            interval = limits.config.syncInterval
            if let store = context.redis.store(for: limits) {
                if limits.config.mode == .sync { syncRequests(limits, store: store) }
                syncTokens(limits, store: store, consumers: context.snapshot.consumers)
            }
        }
        timer = context.scheduler.schedule(at: context.scheduler.now().advanced(by: interval)) { [unowned self] in tick() }
    }

    private func syncRequests(_ limits: RedisLimits, store: any SharedCounters) {
        for (consumer, limiter) in limits.synced.enumerated() {
            if let limiter { syncRequests(limiter, keys: limits.requestKeys[consumer], limits: limits, store: store) }
            for (override, limiter) in limits.overrideSynced[consumer].enumerated() {
                guard let limiter else { continue }
                syncRequests(limiter, keys: limits.overrideRequestKeys[consumer][override], limits: limits, store: store)
            }
        }
    }

    /// Pushes each window of `limiter` (a consumer's, or a per-model override's) to its key in `keys`.
    private func syncRequests(_ limiter: SyncedRequestLimiter, keys: [RedisCounterKey], limits: RedisLimits, store: any SharedCounters) {
        let scheduler = context.scheduler
        let redis = context.redis
        let failMode = limits.config.failMode
        for (index, window) in limiter.windows.enumerated() {
            guard let delta = limiter.beginSync(window) else { continue }
            store.increment(keys[index], by: delta, limit: nil, window: RedisLimits.redisWindow(window.window)) { result in
                switch result {
                case .success(let count):
                    redis.recordSuccess()
                    limiter.syncSucceeded(window, total: count.count, resetAfter: count.resetAfter, at: scheduler.now())
                case .failure(let failure):
                    redis.recordFailure(failure, failMode: failMode)
                    limiter.syncFailed(window, mayHaveRun: failure.mayHaveRun)
                }
            }
        }
    }

    private func syncTokens(_ limits: RedisLimits, store: any SharedCounters, consumers: ConsumerTable) {
        for consumer in consumers.consumers {
            for limiter in consumer.ownTokenLimiters where limiter.shared {
                SharedTokenPush.push(limiter, of: consumer.name, limits: limits, store: store, redis: context.redis,
                                     scheduler: context.scheduler)
            }
        }
    }
}
