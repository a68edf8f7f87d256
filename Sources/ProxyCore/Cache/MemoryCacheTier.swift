import Synchronization

/// The in-process cache tier, shared by every event loop: `shardCount` LRU shards, each behind
/// its own `Mutex`, picked by the key's first word (SHA-256 output, so uniform). A hit locks
/// one shard for a map lookup and a relink; loops hitting different shards never meet, and no
/// lock covers the whole tier. Bounded in bytes and entries (each shard holds its share of
/// both) and in entry size; entries expire at the instant given when stored.
///
/// Kept across reloads while `cache.memory` is unchanged. Thread-safe.
package final class MemoryCacheTier: Sendable {
    package let config: CacheMemoryConfig
    private let shards: [Shard]
    /// Entries and bytes held, and entries evicted for room or found expired: for the gauges
    /// and counters in `docs/metrics.md`, read at scrape.
    private let entryCount = Atomic<Int>(0)
    private let byteCount = Atomic<Int>(0)
    private let evictedForRoom = Atomic<UInt64>(0)
    private let evictedExpired = Atomic<UInt64>(0)

    /// 16, or fewer when `maxEntries` is smaller (every shard holds at least one entry).
    package static let shardCount = 16

    private final class Shard: Sendable {
        let state: Mutex<LRUCacheShard>
        init(_ shard: LRUCacheShard) { state = Mutex(shard) }
    }

    package init(config: CacheMemoryConfig) {
        self.config = config
        let count = max(1, min(Self.shardCount, config.maxEntries))
        shards = (0..<count).map { position in
            let entries = config.maxEntries / count + (position < config.maxEntries % count ? 1 : 0)
            return Shard(LRUCacheShard(maxEntries: entries, maxBytes: config.maxBytes / count))
        }
    }

    /// The largest body an entry may have: `maxEntryBytes`, within one shard's share of bytes.
    package var maxBodyBytes: Int {
        min(config.maxEntryBytes, config.maxBytes / shards.count - CachedAnswer.overheadBytes)
    }

    /// The live answer for `key`, or nil (an expired one is dropped on the way).
    package func lookup(_ key: CacheKey, at now: ProxyInstant) -> CachedAnswer? {
        let result = shard(key).state.withLock { $0.lookup(key, at: now) }  // lint: allow-lock (one shard, a map lookup)
        switch result {
        case .hit(let answer):
            return answer
        case .miss:
            return nil
        case .expired(let bytes):
            entryCount.subtract(1, ordering: .relaxed)
            byteCount.subtract(bytes, ordering: .relaxed)
            evictedExpired.add(1, ordering: .relaxed)
            return nil
        }
    }

    /// What `store` did.
    package enum StoreResult: Hashable, Sendable {
        case stored
        /// Larger than `maxBodyBytes`: not kept.
        case tooLarge
    }

    /// Keeps `answer` under `key` until `expiry`, evicting the least recently used entries of
    /// its shard for room.
    package func store(_ answer: CachedAnswer, for key: CacheKey, until expiry: ProxyInstant) -> StoreResult {
        guard answer.body.count <= maxBodyBytes else { return .tooLarge }
        let change = shard(key).state.withLock { $0.insert(key, answer, until: expiry) }  // lint: allow-lock (one shard)
        entryCount.add(change.entries, ordering: .relaxed)
        byteCount.add(change.bytes, ordering: .relaxed)
        if change.evicted > 0 { evictedForRoom.add(UInt64(change.evicted), ordering: .relaxed) }
        return .stored
    }

    /// Drops the entry for `key`, if any (`x-sluice-cache: refresh`).
    package func remove(_ key: CacheKey) {
        let freed = shard(key).state.withLock { shard -> (Int, Int) in  // lint: allow-lock (one shard)
            let before = shard.count
            let bytes = shard.remove(key)
            return (before - shard.count, bytes)
        }
        entryCount.subtract(freed.0, ordering: .relaxed)
        byteCount.subtract(freed.1, ordering: .relaxed)
    }

    /// Entries held now.
    package var entries: Int { entryCount.load(ordering: .relaxed) }
    /// Bytes held now, entries' overhead included.
    package var bytes: Int { byteCount.load(ordering: .relaxed) }
    /// Entries evicted so far because a bound was reached.
    package var evictionsForRoom: UInt64 { evictedForRoom.load(ordering: .relaxed) }
    /// Entries dropped so far because they had expired.
    package var evictionsExpired: UInt64 { evictedExpired.load(ordering: .relaxed) }

    /// The tier `config` needs: nil when no route caches; `existing` (with its entries) when
    /// its bounds are unchanged; a new one otherwise.
    package static func reusing(_ existing: MemoryCacheTier?, for config: ProxyConfig) -> MemoryCacheTier? {
        guard config.routes.contains(where: { ($0.cache?.mode ?? .off) != .off }) else { return nil }
        if let existing, existing.config == config.cache { return existing }
        return MemoryCacheTier(config: config.cache)
    }

    private func shard(_ key: CacheKey) -> Shard {
        shards[Int(key.a % UInt64(shards.count))]
    }
}
