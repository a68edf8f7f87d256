import ProxyCore

/// The cache's metric series of one route (`docs/metrics.md`, "Cache"), cached per loop and
/// snapshot so a lookup only increments.
final class CacheSeries {
    let hits: CounterSeries
    let misses: CounterSeries
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
        bypasses = metrics.cacheResults.series(labelValues: [route, "none", "bypass"])  // lint: allow-series
        promptSaved = metrics.cacheTokensSaved.series(labelValues: [route, "prompt"])  // lint: allow-series
        completionSaved = metrics.cacheTokensSaved.series(labelValues: [route, "completion"])  // lint: allow-series
    }

    /// `sluice_cache_results_total` for `result`.
    func results(_ result: CacheResult) -> CounterSeries {
        switch result {
        case .hit: hits
        case .miss: misses
        case .bypass: bypasses
        }
    }

    /// `sluice_cache_cost_saved_total` in `currency`; once per hit on a priced model.
    func costSaved(currency: String) -> DoubleCounterSeries {
        metrics.cacheCostSaved.series(labelValues: [route, currency])  // lint: allow-series (a labelled lookup per priced hit)
    }

    /// `sluice_cache_stores_total` for `result` (`stored`, `too_large`, or why the answer was refused); once per store.
    func stores(_ result: String) -> CounterSeries {
        metrics.cacheStores.series(labelValues: [route, result])  // lint: allow-series (once per stored answer)
    }
}
