import ProxyCore
import ProxyIO

/// Sync mode's reconciliation (ADR 0009): every `syncInterval`, on loop 0, each synced
/// window pushes what this sidecar admitted since the last push and reads back the global
/// total, one counter-script run per window (pipelined on the consumer's node). A window
/// whose previous sync has not answered is skipped this round.
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
        if let limits = context.snapshot.redis, limits.config.mode == .sync {
            interval = limits.config.syncInterval
            sync(limits)
        }
        timer = context.scheduler.schedule(at: context.scheduler.now().advanced(by: interval)) { [unowned self] in tick() }
    }

    private func sync(_ limits: RedisLimits) {
        guard let store = context.redis.store(for: limits) else { return }
        let scheduler = context.scheduler
        let redis = context.redis
        let failMode = limits.config.failMode
        for (consumer, limiter) in limits.synced.enumerated() {
            guard let limiter else { continue }
            for (index, window) in limiter.windows.enumerated() {
                guard let delta = limiter.beginSync(window) else { continue }
                store.increment(limits.requestKeys[consumer][index], by: delta, limit: nil,
                                window: RedisLimits.redisWindow(window.window)) { result in
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
    }
}
