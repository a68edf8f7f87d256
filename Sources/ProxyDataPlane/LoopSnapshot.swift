import ProxyCore
import ProxyUpstream

/// A snapshot as one loop uses it: the snapshot, and what this loop derived from it — metric
/// series resolved on first use, the routes' retry budgets. A request captures it when it
/// starts and keeps it to its end, so a reload never changes a request midway and a request
/// still running on an old snapshot never writes into the new snapshot's caches (their
/// indices would mean other routes and backends).
///
/// Loop-confined: created, read and written on its loop's thread only.
final class LoopSnapshot {
    let snapshot: ProxySnapshot
    /// Each route's retry budget on this loop.
    var retryBudgets: [RetryBudget]
    /// The guards' moderation verdicts by content hash (this snapshot's services; a reload starts empty).
    var moderationCache = GuardModerationCache()
    private var requestSeries: [RequestSeriesKey: CounterSeries] = [:]
    private var routeSeries: [UInt32: RouteSeries] = [:]
    private var tokenSeries: [UInt64: TokenSeries] = [:]
    private var errorSeries: [UInt64: CounterSeries] = [:]
    private var costSeries: [UInt64: (currency: String, series: DoubleCounterSeries)] = [:]
    /// By consumer index + 1 (0: anonymous), resolved on first use.
    private var consumerSeries: [ConsumerSeries?]
    private var cacheSeries: [Int: CacheSeries] = [:]
    private let metrics: DataPlaneMetrics

    init(_ snapshot: ProxySnapshot, metrics: DataPlaneMetrics) {
        self.snapshot = snapshot
        self.metrics = metrics
        retryBudgets = snapshot.config.routes.map { RetryBudget(percent: snapshot.config.retry(for: $0).budgetPercent) }
        consumerSeries = Array(repeating: nil, count: snapshot.consumers.consumers.count + 1)
    }

    /// `sluice_requests_total` for (route, answering backend, model, status, consumer; nil: anonymous).
    func requests(route: Int?, backend: Int?, model: Int, status: Int, consumer: Int?) -> CounterSeries {
        let key = RequestSeriesKey(route: route, backend: backend, model: model, status: status, consumer: consumer)
        if let cached = requestSeries[key] { return cached }
        let series = metrics.requests.series(labelValues: [routeName(route), backendName(backend), snapshot.metricModels[model],  // lint: allow-series (once per loop and snapshot)
                                                           String(status), consumerName(consumer)])
        requestSeries[key] = series
        return series
    }

    /// `sluice_rate_limited_total` for (consumer, reason); rare (once per refusal), so not cached.
    func rateLimited(consumer: Int?, reason: String) -> CounterSeries {
        metrics.rateLimited.series(labelValues: [consumerName(consumer), reason])  // lint: allow-series (once per refusal)
    }

    /// `sluice_guard_decisions_total` for (guard, rule, phase, action); rare (once per decision), so not cached.
    func guardDecisions(guard index: Int, rule: Int, phase: String) -> CounterSeries {
        let guardConfig = snapshot.guards[index].config
        let rule = guardConfig.rules[rule]
        return metrics.guardDecisions.series(labelValues: [guardConfig.name, rule.name, phase, rule.action.name])  // lint: allow-series (once per decision)
    }

    /// `sluice_guard_moderation_duration_seconds` for (guard, phase); once per moderation call, not per chunk.
    func guardModerationDuration(guard index: Int, phase: String) -> HistogramSeries {
        metrics.guardModerationDuration.series(labelValues: [snapshot.guards[index].config.name, phase])  // lint: allow-series (once per moderation call)
    }

    /// `sluice_guard_moderation_errors_total`; rare (once per failed call), so not cached.
    func guardModerationErrors(guard index: Int, phase: String, kind: String) -> CounterSeries {
        metrics.guardModerationErrors.series(labelValues: [snapshot.guards[index].config.name, phase, kind])  // lint: allow-series (once per failed call)
    }

    /// `sluice_guard_moderation_cache_hits_total` for (guard, phase); once per call the cache saved.
    func guardModerationCacheHits(guard index: Int, phase: String) -> CounterSeries {
        metrics.guardModerationCacheHits.series(labelValues: [snapshot.guards[index].config.name, phase])  // lint: allow-series (once per saved call)
    }

    /// The duration and first-token histograms of (route, answering backend).
    func histograms(route: Int, backend: Int) -> RouteSeries {
        let key = UInt32(truncatingIfNeeded: route << 16 | backend)
        if let cached = routeSeries[key] { return cached }
        let series = RouteSeries(duration: metrics.requestDuration.series(labelValues: [routeName(route), backendName(backend)]),  // lint: allow-series (once per loop and snapshot)
                                 firstToken: metrics.timeToFirstToken.series(labelValues: [routeName(route), backendName(backend)]))  // lint: allow-series (once per loop and snapshot)
        routeSeries[key] = series
        return series
    }

    /// The token series of (route, backend, model).
    func tokens(route: Int, backend: Int, model: Int) -> TokenSeries {
        let key = UInt64(route) << 40 | UInt64(backend) << 20 | UInt64(model)
        if let cached = tokenSeries[key] { return cached }
        let series = TokenSeries(metrics: metrics, route: routeName(route), backend: backendName(backend),
                                 model: snapshot.metricModels[model])
        tokenSeries[key] = series
        return series
    }

    /// `sluice_cost_total` for (route, backend, model, currency).
    func cost(route: Int, backend: Int, model: Int, currency: String) -> DoubleCounterSeries {
        let key = UInt64(route) << 40 | UInt64(backend) << 20 | UInt64(model)
        if let cached = costSeries[key], cached.currency == currency { return cached.series }
        let series = metrics.cost.series(labelValues: [routeName(route), backendName(backend), snapshot.metricModels[model],  // lint: allow-series (once per loop and snapshot)
                                                       currency])
        costSeries[key] = (currency, series)
        return series
    }

    /// `sluice_consumer_tokens_total` and `sluice_consumer_cost_total` of a consumer (nil: anonymous).
    func consumerUsage(_ consumer: Int?) -> ConsumerSeries {
        let key = consumer.map { $0 + 1 } ?? 0
        if let cached = consumerSeries[key] { return cached }
        let name = consumerName(consumer)
        let series = ConsumerSeries(prompt: metrics.consumerTokens.series(labelValues: [name, "prompt"]),  // lint: allow-series (once per loop and snapshot)
                                    completion: metrics.consumerTokens.series(labelValues: [name, "completion"]))  // lint: allow-series (once per loop and snapshot)
        consumerSeries[key] = series
        return series
    }

    /// `sluice_consumer_cost_total` for (consumer, currency); the currency is the price's.
    func consumerCost(_ consumer: Int?, currency: String) -> DoubleCounterSeries {
        let series = consumerUsage(consumer)
        if let cached = series.cost, cached.currency == currency { return cached.series }
        let cost = metrics.consumerCost.series(labelValues: [consumerName(consumer), currency])  // lint: allow-series (once per loop, snapshot and currency)
        series.cost = (currency, cost)
        return cost
    }

    /// `sluice_routing_decisions_total` for (route, chosen registry entry or none, reason, class
    /// rule or none); one per `auto` request, so not cached.
    func routingDecision(route: Int, entry: Int?, reason: AutoDecision.Reason, matchedClass: String?) -> CounterSeries {
        let model = entry.map { snapshot.routes.registry.entries[$0].model } ?? "none"
        return metrics.routingDecisions.series(labelValues: [routeName(route), model, reason.rawValue, matchedClass ?? "none"])  // lint: allow-series (auto requests only; every label from the config)
    }

    /// `sluice_queue_shed_total` for (backend, priority class, reason); once per shed request, so not cached.
    func shed(backend: Int, priority: Int, reason: QueueShedReason) -> CounterSeries {
        metrics.queueShed.series(labelValues: [backendName(backend), priorityName(priority), reason.rawValue])  // lint: allow-series (once per shed request)
    }

    /// `sluice_queue_wait_seconds` for (backend, priority class); only for requests that waited, so not cached.
    func queueWait(backend: Int, priority: Int) -> HistogramSeries {
        metrics.queueWait.series(labelValues: [backendName(backend), priorityName(priority)])  // lint: allow-series (once per queued request)
    }

    /// A priority class's name, `none` without `defaults.priorities`.
    private func priorityName(_ priority: Int) -> String {
        snapshot.priorities.map { $0.levels[priority] } ?? "none"
    }

    /// `sluice_upstream_errors_total` for (backend, kind).
    func upstreamErrors(backend: Int, kind: UpstreamErrorKind) -> CounterSeries {
        let key = UInt64(backend) << 8 | UInt64(kind.rawValue)
        if let cached = errorSeries[key] { return cached }
        let series = metrics.upstreamErrors.series(labelValues: [backendName(backend), kind.label])  // lint: allow-series (once per loop and snapshot)
        errorSeries[key] = series
        return series
    }

    /// `sluice_retries_total`; rare (once per retry), so not cached.
    func retries(route: Int, backend: Int) -> CounterSeries {
        metrics.retries.series(labelValues: [routeName(route), backendName(backend)])  // lint: allow-series (once per retry)
    }

    /// `sluice_fallbacks_total`; rare (once per fallback), so not cached.
    func fallbacks(route: Int, from: Int, to: Int, reason: String) -> CounterSeries {
        metrics.fallbacks.series(labelValues: [routeName(route), backendName(from), backendName(to), reason])  // lint: allow-series (once per fallback)
    }

    /// `sluice_backend_ejections_total`; rare (once per ejection), so not cached.
    func ejections(backend: Int) -> CounterSeries {
        metrics.ejections.series(labelValues: [backendName(backend)])  // lint: allow-series (once per ejection)
    }

    /// The cache series of `route`.
    func cache(route: Int) -> CacheSeries {
        if let cached = cacheSeries[route] { return cached }
        let series = CacheSeries(metrics: metrics, route: routeName(route))
        cacheSeries[route] = series
        return series
    }

    /// `sluice_backend_keys_set_aside_total`; rare (once per refused key), so not cached.
    func keysSetAside(backend: Int, key: Int, reason: KeyRefusal) -> CounterSeries {
        metrics.keysSetAside.series(labelValues: [backendName(backend), String(key), reason.rawValue])  // lint: allow-series (once per refused key)
    }

    private func routeName(_ index: Int?) -> String {
        index.map { snapshot.config.routes[$0].name } ?? "none"
    }

    private func backendName(_ index: Int?) -> String {
        index.map { snapshot.backends[$0].name } ?? "none"
    }

    private func consumerName(_ index: Int?) -> String {
        index.map { snapshot.consumers.consumers[$0].name } ?? "anonymous"
    }
}

/// The labels of one `sluice_requests_total` series as indices into the snapshot.
struct RequestSeriesKey: Hashable {
    let route: Int?
    let backend: Int?
    let model: Int
    let status: Int
    let consumer: Int?
}

/// One consumer's usage series on one loop.
final class ConsumerSeries {
    let prompt: CounterSeries
    let completion: CounterSeries
    var cost: (currency: String, series: DoubleCounterSeries)?

    init(prompt: CounterSeries, completion: CounterSeries) {
        self.prompt = prompt
        self.completion = completion
    }
}
