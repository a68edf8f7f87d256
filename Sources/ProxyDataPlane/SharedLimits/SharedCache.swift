import ProxyCore
import ProxyIO

/// The response cache's Redis tier as the data plane sees it: the seam between the cache
/// phases and the store (Redis, through `RedisCacheStore`; a scripted store in the level-2
/// tests). Keys and values are opaque bytes (`CacheKey.redisKey`, `CachedAnswerRecord`).
///
/// Loop-confined: one per event loop, called on its thread; completions run there, never
/// inside the call.
protocol SharedCache: AnyObject {
    /// The value under `key`, or nil when there is none.
    func get(_ key: [UInt8], _ completion: @escaping (Result<[UInt8]?, RedisFailure>) -> Void)
    /// Keeps `value` under `key` for `ttl`.
    func set(_ key: [UInt8], value: [UInt8], ttl: ProxyDuration, _ completion: @escaping (Result<Void, RedisFailure>) -> Void)
    /// Sets `field` of the hash `key` to `value`, the hash kept for `ttl` from now (the semantic tier's vectors).
    func setField(_ key: [UInt8], field: [UInt8], value: [UInt8], ttl: ProxyDuration,
                  _ completion: @escaping (Result<Void, RedisFailure>) -> Void)
    /// The fields and values of the hash `key` (none when there is no such key).
    func fields(_ key: [UInt8], _ completion: @escaping (Result<[(field: [UInt8], value: [UInt8])], RedisFailure>) -> Void)
    /// Drops `fields` of the hash `key`, without waiting.
    func deleteFields(_ key: [UInt8], _ fields: [[UInt8]])
    /// Drops the value under `key`.
    func delete(_ key: [UInt8], _ completion: @escaping (Result<Void, RedisFailure>) -> Void)
    /// Closes the connections; pending completions fail with `.closed`.
    func close()
}

extension RedisCacheStore: SharedCache {
    func close() { client.close() }
}

/// What one loop uses the gateway's Redis through: the shared limits' counters and the
/// response cache's tier, over one client (one connection per node).
struct RedisStores {
    let counters: any SharedCounters
    let cache: any SharedCache

    /// Both over one new `RedisClient` on `loop`.
    static func connecting(on loop: EventLoop, configuration: RedisClientConfiguration) -> RedisStores {
        let client = RedisClient(loop: loop, configuration: configuration)
        return RedisStores(counters: RedisCounterStore(client: client), cache: RedisCacheStore(client: client))
    }

    func close() {
        counters.close()
        cache.close()
    }
}
