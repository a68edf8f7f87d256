import Synchronization

/// A route's semantic index, shared by every event loop: `shardCount` shards (by the answer's
/// key), each behind its own `Mutex` and holding its share of `maxEntries`. A search locks the
/// shards one after the other, each for a scan of its share of the scope's vectors: no lock
/// covers the whole index and none is held for more than a sixteenth of a scan. Exact search
/// (ADR on the semantic tier says where that stops being fine).
///
/// Kept across reloads while the route's `cache.semantic` is unchanged. Thread-safe.
package final class SemanticCacheIndex: Sendable {
    package let config: SemanticCacheConfig
    private let shards: [Shard]
    private let entryCount = Atomic<Int>(0)
    private let evicted = Atomic<UInt64>(0)

    package static let shardCount = 16

    private final class Shard: Sendable {
        let state: Mutex<SemanticIndexShard>
        init(_ shard: SemanticIndexShard) { state = Mutex(shard) }
    }

    package init(config: SemanticCacheConfig) {
        self.config = config
        let count = max(1, min(Self.shardCount, config.maxEntries))
        shards = (0..<count).map { position in
            Shard(SemanticIndexShard(capacity: config.maxEntries / count + (position < config.maxEntries % count ? 1 : 0)))
        }
    }

    /// The live answer of `scope` most similar to `vector`, if any.
    package func best(in scope: CacheKey, for vector: SemanticVector, at now: ProxyInstant) -> SemanticMatch? {
        var best: SemanticMatch?
        for shard in shards {
            let found = shard.state.withLock { $0.best(in: scope, for: vector, at: now) }  // lint: allow-lock (one shard's share of a scope)
            if let found, found.similarity > best?.similarity ?? -2 { best = found }
        }
        return best
    }

    /// Indexes `vector` for the answer stored under `entry` in `scope`, until `expiry`.
    package func insert(_ vector: SemanticVector, scope: CacheKey, entry: CacheKey, until expiry: ProxyInstant) {
        let shard = shards[Int(entry.a % UInt64(shards.count))]
        let change = shard.state.withLock { state -> (Int, Bool) in  // lint: allow-lock (one shard)
            let before = state.count
            let evicted = state.insert(vector, scope: scope, entry: entry, until: expiry)
            return (state.count - before, evicted)
        }
        entryCount.add(change.0, ordering: .relaxed)
        if change.1 { evicted.add(1, ordering: .relaxed) }
    }

    /// Vectors held now.
    package var entries: Int { entryCount.load(ordering: .relaxed) }
    /// Vectors overwritten so far because the index was full.
    package var evictions: UInt64 { evicted.load(ordering: .relaxed) }

    /// The index of each route of `config` with a semantic tier (nil for the others): from
    /// `existing` (by route name) when its settings are unchanged, new otherwise.
    package static func reusing(_ existing: [String: SemanticCacheIndex], for config: ProxyConfig) -> [SemanticCacheIndex?] {
        config.routes.map { route in
            guard let cache = route.cache, cache.mode != .off, let semantic = cache.semantic else { return nil }
            if let index = existing[route.name], index.config == semantic { return index }
            return SemanticCacheIndex(config: semantic)
        }
    }
}
