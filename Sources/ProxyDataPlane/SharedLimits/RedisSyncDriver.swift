import ProxyCore
import ProxyIO

/// The reconciliation with Redis, every `syncInterval` on loop 0 (ADR 0009, ADR 0026):
/// - sync mode: each synced request window pushes what this sidecar admitted since the last
///   push and reads back the global total;
/// - both modes: each consumer's shared token meters push what changed here since the last
///   push (reservations in sync mode, charges, settlements and releases in both) and read back
///   the gateway-wide total, which becomes this sidecar's view (`UsageCounter`).
/// One counter-script run per window or meter (pipelined on the consumer's node). A counter
/// whose previous push has not answered is skipped this round. A counter that did not change
/// here is pushed (read back) only while it changed within `RedisLimits.idleRefresh`, else
/// once per `idleRefresh` (`SyncPacing`), so idle consumers do not cost a command per counter
/// per interval. In sync mode a round that pushed nothing still reads one counter back, so the
/// gateway's `freshness` (stale → `failMode`) tells a quiet Redis from a dead one.
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
                var budget = Int.max
                let sync = limits.config.mode == .sync
                if sync { syncRequests(limits, store: store, idleRefresh: limits.idleRefresh, budget: &budget) }
                syncTokens(limits, store: store, idleRefresh: limits.idleRefresh, budget: &budget)
                if sync, budget == Int.max {
                    // Nothing to push: one read keeps the gateway's freshness (a heartbeat).
                    budget = 1
                    syncRequests(limits, store: store, idleRefresh: .zero, budget: &budget)
                    syncTokens(limits, store: store, idleRefresh: .zero, budget: &budget)
                }
            }
        }
        timer = context.scheduler.schedule(at: context.scheduler.now().advanced(by: interval)) { [unowned self] in tick() }
    }

    /// Pushes the synced request windows due, while `budget` (pushes left) lasts.
    private func syncRequests(_ limits: RedisLimits, store: any SharedCounters, idleRefresh: ProxyDuration, budget: inout Int) {
        for (consumer, limiter) in limits.synced.enumerated() {
            if let limiter {
                syncRequests(limiter, keys: limits.requestKeys[consumer], limits: limits, store: store, idleRefresh: idleRefresh, budget: &budget)
            }
            for (override, limiter) in limits.overrideSynced[consumer].enumerated() {
                guard let limiter else { continue }
                syncRequests(limiter, keys: limits.overrideRequestKeys[consumer][override], limits: limits, store: store,
                             idleRefresh: idleRefresh, budget: &budget)
            }
        }
    }

    /// Pushes each due window of `limiter` (a consumer's, or a per-model override's) to its key in `keys`.
    private func syncRequests(_ limiter: SyncedRequestLimiter, keys: [RedisCounterKey], limits: RedisLimits, store: any SharedCounters,
                              idleRefresh: ProxyDuration, budget: inout Int) {
        let scheduler = context.scheduler
        let redis = context.redis
        let failMode = limits.config.failMode
        let freshness = limits.freshness
        for (index, window) in limiter.windows.enumerated() {
            guard budget > 0, let delta = limiter.beginSync(window, at: scheduler.now(), idleRefresh: idleRefresh) else { continue }
            budget -= 1
            store.increment(keys[index], by: delta, limit: nil, window: RedisLimits.redisWindow(window.window)) { result in
                switch result {
                case .success(let count):
                    redis.recordSuccess()
                    limiter.syncSucceeded(window, total: count.count, resetAfter: count.resetAfter, at: scheduler.now())
                    freshness.synced(at: scheduler.now())
                case .failure(let failure):
                    redis.recordFailure(failure, failMode: failMode)
                    limiter.syncFailed(window, mayHaveRun: failure.mayHaveRun)
                }
            }
        }
    }

    /// Pushes the consumers' shared token meters due, while `budget` lasts.
    private func syncTokens(_ limits: RedisLimits, store: any SharedCounters, idleRefresh: ProxyDuration, budget: inout Int) {
        for consumer in context.snapshot.consumers.consumers {
            for limiter in consumer.ownTokenLimiters where limiter.shared && budget > 0 {
                budget -= SharedTokenPush.push(limiter, of: consumer.name, limits: limits, store: store, redis: context.redis,
                                               scheduler: context.scheduler, idleRefresh: idleRefresh, max: budget)
            }
        }
    }
}
