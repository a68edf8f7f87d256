import ProxyCore

/// The cache's metric series of one route (`docs/metrics.md`, "Cache"), cached per loop and
/// snapshot so a lookup only increments.
final class CacheSeries {
    let hits: CounterSeries
    let misses: CounterSeries
    let redisHits: CounterSeries
    let redisMisses: CounterSeries
    let semanticHits: CounterSeries
    let semanticMisses: CounterSeries
    let bypasses: CounterSeries
    let promptSaved: CounterSeries
    let completionSaved: CounterSeries
    private let metrics: DataPlaneMetrics
    private let route: String

    init(metrics: DataPlaneMetrics, route: String) {
        self.metrics = metrics
        self.route = route
        hits = metrics.cacheResults.series(labelValues: [route, CacheTierName.memory.rawValue, "hit"])  // lint: allow-series
        misses = metrics.cacheResults.series(labelValues: [route, CacheTierName.memory.rawValue, "miss"])  // lint: allow-series
        redisHits = metrics.cacheResults.series(labelValues: [route, CacheTierName.redis.rawValue, "hit"])  // lint: allow-series
        redisMisses = metrics.cacheResults.series(labelValues: [route, CacheTierName.redis.rawValue, "miss"])  // lint: allow-series
        semanticHits = metrics.cacheResults.series(labelValues: [route, CacheTierName.semantic.rawValue, "hit"])  // lint: allow-series
        semanticMisses = metrics.cacheResults.series(labelValues: [route, CacheTierName.semantic.rawValue, "miss"])  // lint: allow-series
        bypasses = metrics.cacheResults.series(labelValues: [route, "none", "bypass"])  // lint: allow-series
        promptSaved = metrics.cacheTokensSaved.series(labelValues: [route, "prompt"])  // lint: allow-series
        completionSaved = metrics.cacheTokensSaved.series(labelValues: [route, "completion"])  // lint: allow-series
    }

    /// `sluice_cache_results_total` for `result`, from `tier` (the tier that answered a hit, the
    /// last one asked on a miss; none for a bypass).
    func results(_ result: CacheResult, from tier: CacheTierName?) -> CounterSeries {
        switch (result, tier) {
        case (.hit, .memory): hits
        case (.miss, .memory): misses
        case (.hit, .redis): redisHits
        case (.miss, .redis): redisMisses
        case (.hit, .semantic), (.semanticHit, _): semanticHits
        case (.miss, .semantic): semanticMisses
        case (.bypass, _), (_, nil): bypasses
        }
    }

    /// `sluice_cache_cost_saved_total` in `currency`; once per hit on a priced model.
    func costSaved(currency: String) -> DoubleCounterSeries {
        metrics.cacheCostSaved.series(labelValues: [route, currency])  // lint: allow-series (a labelled lookup per priced hit)
    }

    /// `sluice_cache_embedding_duration_seconds`; once per embeddings call.
    func embeddingDuration() -> HistogramSeries {
        metrics.cacheEmbeddingDuration.series(labelValues: [route])  // lint: allow-series (once per embeddings call)
    }

    /// `sluice_cache_embedding_errors_total` for `kind`; once per failed call.
    func embeddingErrors(_ kind: EmbeddingsExchange.Failure) -> CounterSeries {
        metrics.cacheEmbeddingErrors.series(labelValues: [route, kind.rawValue])  // lint: allow-series (once per failed call)
    }

    /// `sluice_cache_redis_writes_total` for `result` (`stored`, `failed`, `too_large`); once per write.
    func redisWrites(_ result: String) -> CounterSeries {
        metrics.cacheRedisWrites.series(labelValues: [route, result])  // lint: allow-series (once per written answer)
    }

    /// `sluice_cache_stores_total` for `result` (`stored`, `too_large`, or why the answer was refused); once per store.
    func stores(_ result: String) -> CounterSeries {
        metrics.cacheStores.series(labelValues: [route, result])  // lint: allow-series (once per stored answer)
    }
}
