import ConfigSource
import ProxyCore
import ProxyIO

/// A snapshot's Redis settings, resolved off the request path: the client configuration each
/// loop connects with, every limited consumer's request counter keys, (sync mode) the
/// consumers' synced limiters, and when a sync last succeeded. Kept from snapshot to snapshot while the `redis` section and its secrets
/// do not change, so a reload neither reconnects nor forgets (see `DataPlane`).
///
/// Immutable and `Sendable`; each loop makes its own client from `client` (`LoopContext`).
final class RedisLimits: Sendable {
    let config: RedisConfig
    let client: RedisClientConfiguration
    /// What identifies the settings: the section, the password and the CA file's path.
    let identity: Identity
    /// By consumer index: one key per request window, in `RequestRateLimits.windows` order.
    let requestKeys: [[RedisCounterKey]]
    /// By consumer index (sync mode only): the synced limiter of a consumer with request limits.
    let synced: [SyncedRequestLimiter?]
    /// By consumer index, then per-model override index: the override's request counter keys
    /// (`…:{<consumer>}:models[<match>].requestsPerMinute`), in the consumer's hash tag.
    let overrideRequestKeys: [[[RedisCounterKey]]]
    /// By consumer index, then override index (sync mode only): the override's synced limiter.
    let overrideSynced: [[SyncedRequestLimiter?]]
    /// The consumer names, by index (to carry synced limiters over a reload by name).
    let consumerNames: [String]
    /// By consumer index, its overrides' patterns (to carry their synced limiters by pattern).
    let overrideMatches: [[String]]
    /// When a sync push (a request window or a token meter) last succeeded, gateway-wide
    /// (sync mode: stale → `failMode`). Kept while the `redis` section stays the same.
    let freshness: SyncFreshness
    /// How often the sync step reads back a counter that has not changed here
    /// (`SyncPacing`): ten intervals, at least one second.
    let idleRefresh: ProxyDuration

    struct Identity: Hashable {
        let config: RedisConfig
        let password: String?
        let caFile: String?
    }

    /// The counter key of `consumer`'s request limit over `window` (`scope`: a per-model override's).
    static func requestKey(prefix: String, consumer: String, window: RateLimitWindow, scope: String = "") -> RedisCounterKey {
        RedisCounterKey(prefix: prefix, owner: consumer, counter: scope + window.requestsField)
    }

    /// The sliding window a request limit counts over in Redis (ADR 0009).
    static func redisWindow(_ window: RateLimitWindow) -> RedisWindow { .sliding(window.duration) }

    /// The counter of `consumer`'s token `meter` in `period` (ADR 0026), in the consumer's
    /// hash tag: a token window slides like a request window (`…:{team}:tokensPerMinute`); a
    /// quota's key names its UTC day or month number and its currency for spend
    /// (`…:{team}:quotas.tokensPerDay:20454`, `…:{team}:quotas.costPerMonth:USD:671`), and
    /// lives until well after its period ends. A per-model override's meters carry its scope
    /// (`…:{team}:models[gpt-4o*].quotas.tokensPerDay:20454`).
    static func tokenCounter(prefix: String, consumer: String, meter: TokenLimiter.Meter, period: UInt64,
                             currency: String) -> (key: RedisCounterKey, window: RedisWindow) {
        switch meter.kind {
        case .tokens(let window):
            return (RedisCounterKey(prefix: prefix, owner: consumer, counter: meter.field), redisWindow(window))
        case .tokenQuota(let quota):
            return (RedisCounterKey(prefix: prefix, owner: consumer, counter: "\(meter.field):\(period)"), .lifetime(quota.keyLifetime))
        case .costQuota(let quota):
            return (RedisCounterKey(prefix: prefix, owner: consumer, counter: "\(meter.field):\(currency):\(period)"),
                    .lifetime(quota.keyLifetime))
        }
    }

    /// `previous`' synced limiters are kept for consumers whose limits did not change.
    init(_ loaded: LoadedConfig, config: RedisConfig, previous: RedisLimits?, now: ProxyInstant) throws(ProxyConfigError) {
        self.config = config
        identity = Identity(config: config, password: loaded.redisPassword, caFile: loaded.redisCAFile)
        var tls: RedisTLSConfiguration?
        if let settings = config.tls {
            do {
                tls = RedisTLSConfiguration(context: try TLSClientContext(caFile: loaded.redisCAFile), serverName: settings.serverName)
            } catch {
                throw ProxyConfigError(issues: [ConfigIssue(path: "redis.tls.caFile", message: "cannot be used: \(error)")])
            }
        }
        let credentials = loaded.redisPassword.map { RedisCredentials(username: config.username, password: $0) }
        let connection = RedisConnectionConfiguration(address: config.addresses[0], credentials: credentials, tls: tls,
                                                      connectTimeout: max(config.timeout, .seconds(1)), commandTimeout: config.timeout)
        let mode: RedisClientConfiguration.Mode
        switch config.topology {
        case .standalone: mode = .standalone
        case .cluster: mode = .cluster
        case .detect: mode = .detect
        }
        client = RedisClientConfiguration(connection: connection, mode: mode, additionalSeeds: Array(config.addresses.dropFirst()))
        let consumers = loaded.config.consumers
        consumerNames = consumers.map(\.name)
        overrideMatches = consumers.map { $0.models.map(\.match) }
        requestKeys = consumers.map { consumer in
            consumer.rateLimits.windows.map { Self.requestKey(prefix: config.keyPrefix, consumer: consumer.name, window: $0.window) }
        }
        overrideRequestKeys = consumers.map { consumer in
            consumer.models.map { override in
                override.rateLimits.windows.map {
                    Self.requestKey(prefix: config.keyPrefix, consumer: consumer.name, window: $0.window, scope: override.scope)
                }
            }
        }
        // Three missed syncs, or one that took longer than the timeout, make the counts stale.
        let staleAfter = ProxyDuration(nanoseconds: max(config.syncInterval.nanoseconds * 3,
                                                        config.syncInterval.nanoseconds + config.timeout.nanoseconds))
        freshness = previous?.config == config ? previous!.freshness : SyncFreshness(staleAfter: staleAfter, now: now)
        idleRefresh = ProxyDuration(nanoseconds: max(config.syncInterval.nanoseconds * 10, ProxyDuration.seconds(1).nanoseconds))
        guard config.mode == .sync else {
            synced = consumers.map { _ in nil }
            overrideSynced = consumers.map { $0.models.map { _ in nil } }
            return
        }
        let kept = previous?.config.mode == .sync && previous?.config.keyPrefix == config.keyPrefix ? previous : nil
        // The synced limiter of `limits`: the previous snapshot's `old` while the limits stay.
        func limiter(_ limits: RequestRateLimits, old: SyncedRequestLimiter?) -> SyncedRequestLimiter? {
            guard !limits.windows.isEmpty else { return nil }
            if let old, old.limits == limits { return old }
            return SyncedRequestLimiter(limits)
        }
        let keptIndex = consumers.map { consumer in kept?.consumerNames.firstIndex(of: consumer.name) }
        synced = zip(consumers, keptIndex).map { consumer, index in
            limiter(consumer.rateLimits, old: index.flatMap { kept?.synced[$0] })
        }
        overrideSynced = zip(consumers, keptIndex).map { consumer, index in
            consumer.models.map { override in
                let old = index.flatMap { index in
                    kept?.overrideMatches[index].firstIndex(of: override.match).flatMap { kept?.overrideSynced[index][$0] }
                }
                return limiter(override.rateLimits, old: old)
            }
        }
    }
}
