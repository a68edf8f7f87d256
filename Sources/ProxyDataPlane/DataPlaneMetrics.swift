import ProxyCore
import ProxyIO
import Synchronization

/// The sidecar's metric families (names and labels: `docs/metrics.md`). Families are
/// registered once; label series are resolved off the hot path: per loop, on first use of a
/// (route, backend, model, code) combination, then kept in the loop's cache by integer key.
package final class DataPlaneMetrics: Sendable {
    package let registry = MetricsRegistry()
    let requests: CounterFamily
    let requestDuration: HistogramFamily
    let timeToFirstToken: HistogramFamily
    let upstreamErrors: CounterFamily
    let reloads: CounterFamily
    let retries: CounterFamily
    let fallbacks: CounterFamily
    let ejections: CounterFamily
    let keysSetAside: CounterFamily
    let backendInFlight: GaugeFamily
    let backendHealthy: GaugeFamily
    let warmupPings: CounterFamily
    let tokens: CounterFamily
    let tokensUnreported: CounterFamily
    let cost: DoubleCounterFamily
    let timePerOutputToken: HistogramFamily
    let lastReloadSuccess: DoubleGaugeFamily
    let restartRequired: GaugeFamily
    let rateLimited: CounterFamily
    let redisFailures: CounterFamily
    let consumerTokens: CounterFamily
    let consumerCost: DoubleCounterFamily
    let consumerLimit: DoubleGaugeFamily
    let consumerLimitRemaining: DoubleGaugeFamily
    let guardDecisions: CounterFamily
    let guardModerationDuration: HistogramFamily
    let guardModerationErrors: CounterFamily
    let guardModerationCacheHits: CounterFamily
    let cacheResults: CounterFamily
    let cacheStores: CounterFamily
    let cacheRedisWrites: CounterFamily
    let cacheTokensSaved: CounterFamily
    let cacheCostSaved: DoubleCounterFamily
    let cacheEmbeddingDuration: HistogramFamily
    let cacheEmbeddingErrors: CounterFamily
    let routingDecisions: CounterFamily
    let queueShed: CounterFamily
    let queueWait: HistogramFamily
    let backendQueued: GaugeFamily

    package init(version: String) {
        requests = registry.counter(name: "sluice_requests_total", help: "Requests answered, by route, backend, model, status code and consumer.",
                                    labelNames: ["route", "backend", "model", "code", "consumer"])
        requestDuration = registry.histogram(name: "sluice_request_duration_seconds",
                                             help: "Time from the request's arrival to the end of its response.",
                                             labelNames: ["route", "backend"],
                                             buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300])
        timeToFirstToken = registry.histogram(name: "sluice_time_to_first_token_seconds",
                                             help: "Time from the request's arrival to the answer's first token (a stream's first data event, a JSON body's first byte).",
                                             labelNames: ["route", "backend"],
                                             buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
        upstreamErrors = registry.counter(name: "sluice_upstream_errors_total", help: "Failed upstream attempts, by backend and kind.",
                                          labelNames: ["backend", "kind"])
        retries = registry.counter(name: "sluice_retries_total", help: "Attempts repeated on the same backend.",
                                   labelNames: ["route", "backend"])
        fallbacks = registry.counter(name: "sluice_fallbacks_total", help: "Requests sent on to the next backend of a fallback chain.",
                                     labelNames: ["route", "from", "to", "reason"])
        ejections = registry.counter(name: "sluice_backend_ejections_total", help: "Times a backend's circuit breaker opened.",
                                     labelNames: ["backend"])
        keysSetAside = registry.counter(name: "sluice_backend_keys_set_aside_total",
                                        help: "Times a backend key the provider refused was set aside, by key index (never the key).",
                                        labelNames: ["backend", "key", "reason"])
        backendInFlight = registry.gauge(name: "sluice_backend_in_flight", help: "Upstream attempts in progress, by backend.",
                                         labelNames: ["backend"])
        backendHealthy = registry.gauge(name: "sluice_backend_healthy",
                                        help: "1 while a backend's circuit breaker is closed, 0 while it is open or probing.",
                                        labelNames: ["backend"])
        warmupPings = registry.counter(name: "sluice_warmup_pings_total", help: "Warmup pings sent to idle backends, by result.",
                                       labelNames: ["backend", "result"])
        tokens = registry.counter(name: "sluice_tokens_total", help: "Tokens the providers reported, by type (cached and cache_write are parts of prompt, reasoning of completion).",
                                  labelNames: ["route", "backend", "model", "type"])
        tokensUnreported = registry.counter(name: "sluice_tokens_unreported_total",
                                            help: "Successful responses whose provider reported no usage (nothing was guessed).",
                                            labelNames: ["route", "backend"])
        cost = registry.doubleCounter(name: "sluice_cost_total", help: "Cost of the tokens, from the per-model prices in the config.",
                                      labelNames: ["route", "backend", "model", "currency"])
        timePerOutputToken = registry.histogram(name: "sluice_time_per_output_token_seconds",
                                                help: "Time from the first byte to the end of a response, per completion token.",
                                                labelNames: ["backend", "model"],
                                                buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1])
        rateLimited = registry.counter(name: "sluice_rate_limited_total",
                                       help: "Requests refused with 429 by the sidecar's own limits, by consumer and limit.",
                                       labelNames: ["consumer", "reason"])
        redisFailures = registry.counter(name: "sluice_redis_failures_total",
                                         help: "Shared-limit operations Redis did not answer in time or at all, by reason; failMode decided those requests.",
                                         labelNames: ["reason"])
        consumerTokens = registry.counter(name: "sluice_consumer_tokens_total",
                                          help: "Tokens the providers reported for each consumer's requests, by type (prompt, completion).",
                                          labelNames: ["consumer", "type"])
        consumerCost = registry.doubleCounter(name: "sluice_consumer_cost_total", help: "Cost of each consumer's tokens, from the per-model prices.",
                                              labelNames: ["consumer", "currency"])
        consumerLimit = registry.doubleGauge(name: "sluice_consumer_limit",
                                             help: "Each consumer's token limits and quotas (tokens, or the currency for spend), by limit field.",
                                             labelNames: ["consumer", "limit"])
        consumerLimitRemaining = registry.doubleGauge(name: "sluice_consumer_limit_remaining",
                                                      help: "What remains of each consumer's token limits and quotas in the current window or period.",
                                                      labelNames: ["consumer", "limit"])
        guardDecisions = registry.counter(name: "sluice_guard_decisions_total",
                                          help: "Guard rules that matched, by guard, rule, phase (request, response) and action (block, redact, log).",
                                          labelNames: ["guard", "rule", "phase", "action"])
        guardModerationDuration = registry.histogram(name: "sluice_guard_moderation_duration_seconds",
                                                     help: "Time a guard's moderation service took to answer (or to fail), by guard and phase (request, response).",
                                                     labelNames: ["guard", "phase"], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])
        guardModerationErrors = registry.counter(name: "sluice_guard_moderation_errors_total",
                                                 help: "Failed calls to a guard's moderation service, by guard, phase and kind (timeout, connect, status, invalid).",
                                                 labelNames: ["guard", "phase", "kind"])
        guardModerationCacheHits = registry.counter(name: "sluice_guard_moderation_cache_hits_total",
                                                    help: "Moderation calls answered from the verdict cache (same texts, same service), by guard and phase.",
                                                    labelNames: ["guard", "phase"])
        cacheResults = registry.counter(name: "sluice_cache_results_total",
                                        help: "Cache lookups on routes with a cache, by route, tier (memory, redis, semantic, none) and result (hit, miss, bypass).",
                                        labelNames: ["route", "tier", "result"])
        cacheStores = registry.counter(name: "sluice_cache_stores_total",
                                       help: "Answers offered to the cache, by route and result (stored, or why not).",
                                       labelNames: ["route", "result"])
        cacheRedisWrites = registry.counter(name: "sluice_cache_redis_writes_total",
                                            help: "Answers written to the cache's Redis tier, by route and result (stored, failed, too_large).",
                                            labelNames: ["route", "result"])
        cacheTokensSaved = registry.counter(name: "sluice_cache_tokens_saved_total",
                                            help: "Provider tokens not spent because the cache answered, by route and type.",
                                            labelNames: ["route", "type"])
        cacheCostSaved = registry.doubleCounter(name: "sluice_cache_cost_saved_total",
                                                help: "Cost not spent because the cache answered, from the per-model prices.",
                                                labelNames: ["route", "currency"])
        cacheEmbeddingDuration = registry.histogram(name: "sluice_cache_embedding_duration_seconds",
                                                    help: "Time the semantic cache tier's embeddings call took to answer (or to fail), by route.",
                                                    labelNames: ["route"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5])
        cacheEmbeddingErrors = registry.counter(name: "sluice_cache_embedding_errors_total",
                                                help: "Failed embeddings calls of the semantic cache tier (each a semantic miss), by route and kind (timeout, connect, status, invalid).",
                                                labelNames: ["route", "kind"])
        routingDecisions = registry.counter(name: "sluice_routing_decisions_total",
                                            help: "Requests to auto models, by route, chosen upstream model, reason and class rule.",
                                            labelNames: ["route", "model", "reason", "class"])
        queueShed = registry.counter(name: "sluice_queue_shed_total",
                                     help: "Requests a backend's full queue shed (pushed out by a higher-priority arrival, or refused on arrival), by backend, priority and reason.",
                                     labelNames: ["backend", "priority", "reason"])
        backendQueued = registry.gauge(name: "sluice_backend_queued", help: "Requests waiting in a backend's queue, read at scrape.",
                                       labelNames: ["backend"])
        queueWait = registry.histogram(name: "sluice_queue_wait_seconds",
                                       help: "Time a request waited in a backend's queue before it got a slot, by backend and priority.",
                                       labelNames: ["backend", "priority"],
                                       buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])
        reloads = registry.counter(name: "sluice_config_reload_total", help: "Config reloads, by result (success, failure, unchanged).",
                                   labelNames: ["result"])
        lastReloadSuccess = registry.doubleGauge(name: "sluice_config_last_reload_success_timestamp_seconds",
                                                 help: "When the active config was loaded, in seconds since the epoch.")
        restartRequired = registry.gauge(name: "sluice_config_restart_required",
                                         help: "1 when the loaded config changed a setting that applies only at start (the listeners).")
        restartRequired.series().set(0)
        registry.gauge(name: "sluice_build_info", help: "Build information; always 1.", labelNames: ["version"])
            .series(labelValues: [version]).set(1)
        for result in ["success", "failure", "unchanged"] { _ = reloads.series(labelValues: [result]) }
        registry.registerCallbackGauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.") {
            ProcessStats.residentBytes()
        }
        registry.registerCallbackCounter(name: "process_cpu_seconds_total", help: "User and system CPU time spent in seconds.") {
            ProcessStats.cpuSeconds()
        }
        registry.registerCallbackGauge(name: "process_open_fds", help: "Number of open file descriptors.") {
            ProcessStats.openFDs()
        }
        let start = ProcessStats.startTimeSeconds()
        registry.registerCallbackGauge(name: "process_start_time_seconds", help: "Start time of the process since the epoch in seconds.") {
            start
        }
    }

    /// Runs before each scrape, to bring state-derived gauges up to date.
    let beforeScrape = Mutex<(@Sendable () -> Void)?>(nil)  // lint: allow-lock (set once at start; read per scrape)

    /// The exposition for an `Accept` header value: content type and body.
    @Sendable package func render(accept: String?) -> (String, [UInt8]) {
        beforeScrape.withLock { $0 }?()
        let format = ExpositionFormat.negotiate(accept: accept)
        return (format.contentType, PrometheusTextEncoder.encode(registry, format: format))
    }
}

/// The histograms of one (route, backend) pair, cached per loop and snapshot.
final class RouteSeries {
    let duration: HistogramSeries
    let firstToken: HistogramSeries
    init(duration: HistogramSeries, firstToken: HistogramSeries) {
        self.duration = duration
        self.firstToken = firstToken
    }
}

/// The token series of one (route, backend, model), cached per loop and snapshot.
final class TokenSeries {
    let prompt: CounterSeries
    let completion: CounterSeries
    let cached: CounterSeries
    let cacheWritten: CounterSeries
    let reasoning: CounterSeries
    let unreported: CounterSeries
    let perOutputToken: HistogramSeries

    init(metrics: DataPlaneMetrics, route: String, backend: String, model: String) {
        prompt = metrics.tokens.series(labelValues: [route, backend, model, "prompt"])  // lint: allow-series
        completion = metrics.tokens.series(labelValues: [route, backend, model, "completion"])  // lint: allow-series
        cached = metrics.tokens.series(labelValues: [route, backend, model, "cached"])  // lint: allow-series
        cacheWritten = metrics.tokens.series(labelValues: [route, backend, model, "cache_write"])  // lint: allow-series
        reasoning = metrics.tokens.series(labelValues: [route, backend, model, "reasoning"])  // lint: allow-series
        unreported = metrics.tokensUnreported.series(labelValues: [route, backend])  // lint: allow-series
        perOutputToken = metrics.timePerOutputToken.series(labelValues: [backend, model])  // lint: allow-series
    }
}
