import ConfigSource
import ProxyCore
import ProxyIO

/// One immutable configuration of the data plane: built off the request path, published
/// to every loop as a single object, captured once per request, and released by ARC when
/// the last request that started on it ends.
final class ProxySnapshot: Sendable {
    let loaded: LoadedConfig
    let routes: RouteTable
    /// What `GET /v1/models` lists.
    let models: ModelCatalog
    /// Indexed like `config.backends` and `RouteDecision.backendIndex`.
    let backends: [BackendRuntime]
    let maxRequestBodyBytes: Int
    /// Wall-clock time of the load, in seconds since the epoch.
    let loadedAt: UInt64
    /// The `model` label's values: index 0 is `other`, the rest are the models the config
    /// names. A client's model outside this set is counted as `other`, so clients cannot
    /// grow the metrics' cardinality.
    let metricModels: [String]
    let metricModelIndex: [String: Int]
    /// Retry, fallback and deadline settings, indexed by route.
    let attemptPolicies: [AttemptPolicy]
    /// What the session state machine needs of each route, indexed by route.
    let sessionSettings: [SessionSettings]
    /// Protection state, indexed by backend; shared with other snapshots (see `BackendState`).
    let backendStates: [BackendState]
    /// Whether any backend can be ejected or shifted (routing then adjusts its pick).
    let adjustsRouting: Bool
    /// The consumers' key digests, model rights and request limiters (shared with other snapshots).
    let consumers: ConsumerTable
    /// The Redis the consumers' limits are shared through; nil: they are counted in process.
    let redis: RedisLimits?
    /// The compiled guards, and each route's guard (an index into `guards`), indexed by route.
    let guards: [GuardPolicy]
    let routeGuards: [Int?]
    /// Each guard's audit file (`audit.file`), indexed by guard; guards naming the same path share
    /// one. Opened when the snapshot is built, so a reload reopens them.
    let guardAuditFiles: [AppendOnlyFile?]
    /// The memory cache tier (shared with other snapshots while `cache.memory` is unchanged);
    /// nil when no route caches.
    let cacheTier: MemoryCacheTier?
    /// Each route's cache settings, indexed by route (nil, or `off`: no cache); read per request
    /// without copying the config.
    let routeCaches: [RouteCacheConfig?]
    /// Each route's semantic index, indexed by route (nil: no semantic tier); shared with other
    /// snapshots while the route's `cache.semantic` is unchanged.
    let semanticIndexes: [SemanticCacheIndex?]
    /// Live time to first token per model registry entry (`routes.registry`), shared with
    /// other snapshots that describe the same (backend, model).
    let liveWindows: [EntryLiveWindow]
    /// `defaults.priorities`, read per request without copying the config.
    let priorities: PriorityConfig?

    var config: ProxyConfig { loaded.config }

    /// `sluice_backend_in_flight` per backend, resolved here so attempts only add and subtract.
    let inFlight: [GaugeSeries?]

    /// `limiters`, `tokenLimiters`: by consumer index, the limiters to keep using (nil: fresh ones);
    /// `overrideLimiters`: by consumer index and per-model override index, the same.
    /// `liveWindows`: by registry entry, the windows to keep using (nil: fresh ones).
    /// `keyRings`: by backend index, the key rings to keep using (nil: fresh ones).
    /// `semanticIndexes`: by route, the semantic indexes (nil: fresh ones).
    init(_ loaded: LoadedConfig, loadedAt: UInt64, backendStates: [BackendState], limiters: [RequestRateLimiter?]? = nil,
         tokenLimiters: [TokenLimiter?]? = nil, overrideLimiters: [[ConsumerTable.OverrideLimiters]]? = nil, redis: RedisLimits? = nil,
         cacheTier: MemoryCacheTier? = nil, semanticIndexes: [SemanticCacheIndex?]? = nil, liveWindows: [EntryLiveWindow]? = nil,
         keyRings: [KeyRing?]? = nil, metrics: DataPlaneMetrics) throws(ProxyConfigError) {
        self.cacheTier = cacheTier
        routeCaches = loaded.config.routes.map { $0.cache?.mode == .off ? nil : $0.cache }
        self.semanticIndexes = cacheTier == nil ? loaded.config.routes.map { _ in nil }
            : semanticIndexes ?? SemanticCacheIndex.reusing([:], for: loaded.config)
        self.loaded = loaded
        self.redis = redis
        routes = try RouteTable(loaded.config)
        models = ModelCatalog(config: loaded.config, table: routes)
        self.liveWindows = liveWindows ?? routes.registry.entries.map { _ in EntryLiveWindow() }
        priorities = loaded.config.defaults.priorities
        backends = loaded.config.backends.enumerated().map { index, backend in
            BackendRuntime(backend, config: loaded.config, loaded: loaded, keyRing: keyRings?[index])
        }
        maxRequestBodyBytes = loaded.config.defaults.maxRequestBodyBytes
        self.loadedAt = loadedAt
        attemptPolicies = try AttemptPolicy.table(for: loaded.config)
        sessionSettings = zip(loaded.config.routes, attemptPolicies).map { route, policy in
            let truncation = loaded.config.truncation(for: route)
            return SessionSettings(holdBytesLimit: truncation.bufferBytes, bufferStreams: truncation.bufferStreams,
                                   truncationFallback: policy.triggers.truncation)
        }
        self.backendStates = backendStates
        adjustsRouting = backendStates.contains { $0.breaker != nil || $0.shifter != nil }
        consumers = ConsumerTable(loaded.config, digests: loaded.consumerKeys,
                                  limiters: limiters ?? loaded.config.meteredParties.map(RequestRateLimiter.forConsumer),
                                  tokenLimiters: tokenLimiters ?? loaded.config.meteredParties.map { TokenLimiter.forConsumer($0, in: loaded.config) },
                                  overrideLimiters: overrideLimiters ?? [])
        guards = loaded.config.guards.map(GuardPolicy.init)
        var files: [String: AppendOnlyFile] = [:]
        var auditFiles: [AppendOnlyFile?] = []
        for (index, guardConfig) in loaded.config.guards.enumerated() {
            guard let path = guardConfig.auditFile else {
                auditFiles.append(nil)
                continue
            }
            do throws(AppendOnlyFile.OpenError) {
                if files[path] == nil { files[path] = try AppendOnlyFile(path: path) }
                auditFiles.append(files[path])
            } catch {
                throw ProxyConfigError(issues: [ConfigIssue(path: "guards[\(index)].audit.file", message: error.description)])
            }
        }
        guardAuditFiles = auditFiles
        routeGuards = loaded.config.routes.map { route in loaded.config.guards.firstIndex { $0.guards(route: route.name) } }
        inFlight = backendStates.map { metrics.backendInFlight.series(labelValues: [$0.name]) }
        for state in backendStates {
            metrics.backendHealthy.series(labelValues: [state.name]).set(state.isHealthy ? 1 : 0)
        }
        var named = Set<String>()
        for backend in loaded.config.backends {
            named.formUnion(backend.models.keys)
            named.formUnion(backend.models.values)
            // A priced model reached through a glob or prefix route counts under its own name.
            named.formUnion(backend.prices.keys)
        }
        for route in loaded.config.routes {
            for entry in route.split { if let model = entry.model { named.insert(model) } }
            switch route.match?.model {
            case .exact(let model)?: named.insert(model)
            case .oneOf(let models)?: named.formUnion(models)
            default: break
            }
        }
        metricModels = ["other"] + named.sorted()
        metricModelIndex = Dictionary(uniqueKeysWithValues: metricModels.enumerated().map { ($1, $0) })
    }

    /// The bounded `model` label index: the client's model when the config names it, else the
    /// upstream model when the config names that (a priced model behind a glob), else `other`.
    func metricModel(client: String?, upstream: String?) -> Int {
        client.flatMap { metricModelIndex[$0] } ?? upstream.flatMap { metricModelIndex[$0] } ?? 0
    }
}
