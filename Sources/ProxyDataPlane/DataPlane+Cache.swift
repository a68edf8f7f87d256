import ProxyCore

/// The memory cache tier's gauges and counters, read at scrape.
extension DataPlane {
    /// `sluice_cache_memory_*`: read from the tier in force at scrape.
    func registerCacheGauges(_ registry: MetricsRegistry) {
        registry.registerCallbackGauge(name: "sluice_cache_memory_entries", help: "Answers held by the memory cache tier.") {
            [unowned self] in Double(current.cacheTier?.entries ?? 0)
        }
        registry.registerCallbackGauge(name: "sluice_cache_memory_bytes",
                                       help: "Bytes held by the memory cache tier, each entry's overhead included.") {
            [unowned self] in Double(current.cacheTier?.bytes ?? 0)
        }
        registry.registerCallbackCounter(name: "sluice_cache_memory_evictions_total",
                                         help: "Entries the memory cache tier evicted to stay within its bounds.") {
            [unowned self] in Double(current.cacheTier?.evictionsForRoom ?? 0)
        }
        registry.registerCallbackGauge(name: "sluice_cache_semantic_entries",
                                       help: "Vectors held by the semantic cache tier's in-process indexes, all routes together.") {
            [unowned self] in Double(current.semanticIndexes.reduce(0) { $0 + ($1?.entries ?? 0) })
        }
        registry.registerCallbackCounter(name: "sluice_cache_memory_expired_total",
                                         help: "Entries the memory cache tier dropped because their TTL had passed.") {
            [unowned self] in Double(current.cacheTier?.evictionsExpired ?? 0)
        }
    }
}
