import ProxyCore
import ProxyIO
import ProxyUpstream

/// What the request path of one event loop uses: the loop's clock and timers, its libcurl
/// multi, the snapshot currently published to it (as this loop's `LoopSnapshot`), and a
/// random source for splits, request ids and span ids.
///
/// Loop-confined: read and written only on the loop's thread (the publisher hops there).
final class LoopContext {
    let index: Int
    let scheduler: any SessionScheduler
    let upstream: any UpstreamClient
    let dataPlane: DataPlane
    /// The snapshot new requests start on. Replaced (never mutated) when a reload is published;
    /// requests already running keep the one they captured.
    private(set) var current: LoopSnapshot
    private var randomSource: SplitMix64
    /// Requests of this loop waiting in a backend's queue, by ticket id.
    var waiters: [UInt64: ProxySession] = [:]
    /// Loop 0 sends the warmup pings.
    var warmup: WarmupDriver?
    /// This loop's connection to the gateway's Redis (shared limits).
    let redis: LoopRedis
    /// Loop 0 reconciles sync-mode limits with Redis.
    var redisSync: RedisSyncDriver?

    init(index: Int, scheduler: any SessionScheduler, upstream: any UpstreamClient, snapshot: ProxySnapshot,
         dataPlane: DataPlane) {
        self.index = index
        self.scheduler = scheduler
        self.upstream = upstream
        self.dataPlane = dataPlane
        current = LoopSnapshot(snapshot, metrics: dataPlane.metrics)
        redis = LoopRedis(metrics: dataPlane.metrics)
        randomSource = SplitMix64(seed: scheduler.wallNanoseconds() ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
    }

    var snapshot: ProxySnapshot { current.snapshot }

    /// Makes `snapshot` the one new requests start on. Call on this loop.
    func publish(_ snapshot: ProxySnapshot) {
        current = LoopSnapshot(snapshot, metrics: dataPlane.metrics)
        if snapshot.redis == nil { redis.close() }
    }

    /// A backend's queue handed a slot to `ticket`, one of this loop's waiters. If that request
    /// is gone (its client left), the slot passes on.
    func resumeWaiter(_ ticket: ConcurrencyTicket, of limiter: ConcurrencyLimiter) {
        if let session = waiters.removeValue(forKey: ticket.id) {
            session.slotGranted()
        } else if let next = limiter.release() {
            dataPlane.handOver(next, of: limiter)
        }
    }

    /// A backend's full queue shed `ticket`, one of this loop's waiters, for a higher-priority
    /// request. A request already gone has nothing to be told.
    func shedWaiter(_ ticket: ConcurrencyTicket) {
        waiters.removeValue(forKey: ticket.id)?.slotShed()
    }

    /// Fast, good enough for traffic splitting, request and span ids (not for secrets).
    func random() -> UInt64 {
        randomSource.next()
    }

    /// A new request id: 32 lowercase hex digits.
    func makeRequestID() -> String {
        String(unsafeUninitializedCapacity: 32) { out in
            for half in 0..<2 {
                var value = random()
                for i in 0..<16 {
                    out[half * 16 + i] = Self.hexDigits[Int(value & 0xf)]
                    value >>= 4
                }
            }
            return 32
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
