import ConfigSource
import ProxyCore
import ProxyHTTPServer
import ProxyIO
import ProxyUpstream
import Synchronization

/// The sidecar's shared state: the current snapshot and how it got there, the loops'
/// contexts, readiness. Publishing a snapshot posts it to every loop; the request path
/// reads only its loop's `LoopContext.snapshot` and never takes a lock here.
package final class DataPlane: Sendable {
    struct ReloadState {
        var current: ProxySnapshot
        var lastError: String?
        var lastErrorAt: UInt64?
        var succeeded = 0
        var failed = 0
        var unchanged = 0
        var contexts: [ContextRef] = []
        /// Protection state by backend name, carried from snapshot to snapshot.
        var backendStates: [String: BackendState] = [:]
        /// Request limiters by consumer name (a per-model override's: `overrideKey`), carried from
        /// snapshot to snapshot.
        var limiters: [String: RequestRateLimiter] = [:]
        /// The Redis settings last built, carried while they do not change.
        var redisLimits: RedisLimits?
        /// Token limiters by consumer name (a per-model override's: `overrideKey`), carried from snapshot to snapshot.
        var tokenLimiters: [String: TokenLimiter] = [:]
        /// The memory cache tier, carried from snapshot to snapshot while its bounds stay.
        var cacheTier: MemoryCacheTier?
        /// The semantic indexes by route name, carried while a route's `cache.semantic` stays.
        var semanticIndexes: [String: SemanticCacheIndex] = [:]
        /// Live time-to-first-token windows by registry entry (backend name, upstream model),
        /// carried from snapshot to snapshot.
        var liveWindows: [RegistryKey: EntryLiveWindow] = [:]
        /// Set when a loaded config changes a setting that applies only at start (the listeners).
        var restartRequired: String?
        /// The listeners bound at start.
        let startListeners: ListenersConfig
    }

    private let state: Mutex<ReloadState>  // lint: allow-lock (reloads, admin and attach; never per request)
    private let readiness = Atomic<Bool>(false)
    let accessLog: AccessLog
    /// Guard decisions, one JSON line each (stderr).
    let guardAudit = GuardAudit()
    /// Request bodies and held responses, all loops together (`defaults.maxBufferedBytes`).
    let bufferBudget: BufferBudget
    package let metrics: DataPlaneMetrics
    /// Reload timestamps and backend state start times; the monotonic clock except in tests.
    let clock: any ProxyClock

    package init(initial: LoadedConfig, accessLog enabled: Bool = true, accessLogSampleRate: Double = 1,
                 version: String, clock: any ProxyClock = MonotonicClock()) throws(ProxyConfigError) {
        self.clock = clock
        bufferBudget = BufferBudget(limit: initial.config.defaults.bufferBudgetBytes)
        let now = clock.now()
        let reserved = initial.config.defaults.priorities?.reservedPercent
        let states = initial.config.backends.map { BackendState($0, reservedPercent: reserved, now: now) }
        let metrics = DataPlaneMetrics(version: version)
        let redis = try initial.config.redis.map { config throws(ProxyConfigError) in
            try RedisLimits(initial, config: config, previous: nil, now: now)
        }
        let tier = MemoryCacheTier.reusing(nil, for: initial.config)
        let snapshot = try ProxySnapshot(initial, loadedAt: clock.wallNanoseconds() / 1_000_000_000, backendStates: states,
                                         redis: redis, cacheTier: tier, metrics: metrics)
        var reloadState = ReloadState(current: snapshot, succeeded: 1, startListeners: initial.config.listeners)
        reloadState.redisLimits = redis
        reloadState.cacheTier = tier
        for (route, index) in zip(initial.config.routes, snapshot.semanticIndexes) { if let index { reloadState.semanticIndexes[route.name] = index } }
        for backendState in states { reloadState.backendStates[backendState.name] = backendState }
        for consumer in snapshot.consumers.metered {
            if let limiter = consumer.limiter { reloadState.limiters[consumer.name] = limiter }
            if let limiter = consumer.tokenLimiter { reloadState.tokenLimiters[consumer.name] = limiter }
            for override in consumer.models {
                let key = Self.overrideKey(consumer.name, override.match)
                if let limiter = override.limiter { reloadState.limiters[key] = limiter }
                if let limiter = override.tokenLimiter { reloadState.tokenLimiters[key] = limiter }
            }
        }
        for (entry, window) in zip(snapshot.routes.registry.entries, snapshot.liveWindows) {
            reloadState.liveWindows[RegistryKey(entry)] = window
        }
        state = Mutex(reloadState)  // lint: allow-lock (set-up)
        accessLog = AccessLog(enabled: enabled, sampleRate: accessLogSampleRate)
        self.metrics = metrics
        metrics.reloads.series(labelValues: ["success"]).increment()
        metrics.lastReloadSuccess.series().set(Double(snapshot.loadedAt))
        metrics.registry.registerCallbackGauge(name: "sluice_buffered_bytes",
                                               help: "Bytes of request bodies and held responses buffered now, all loops together.") {
            [unowned self] in Double(bufferBudget.inUse)
        }
        metrics.registry.registerCallbackGauge(name: "sluice_buffer_budget_bytes",
                                               help: "The most bytes of request bodies and held responses the sidecar buffers at once.") {
            [unowned self] in Double(bufferBudget.limit)
        }
        metrics.registry.registerCallbackGauge(name: "sluice_ready", help: "1 while the sidecar accepts traffic, 0 while starting or draining.") {
            [unowned self] in isReady ? 1 : 0
        }
        registerCacheGauges(metrics.registry)
        Self.warnAboutInsecureBackends(initial.config)
        // A breaker opens and half-opens with time, not only on requests: read it at scrape.
        metrics.beforeScrape.withLock { $0 = { [unowned self] in
            for backendState in current.backendStates {
                metrics.backendHealthy.series(labelValues: [backendState.name]).set(backendState.isHealthy ? 1 : 0)
                if let limiter = backendState.limiter {
                    metrics.backendQueued.series(labelValues: [backendState.name]).set(Int64(limiter.waiting))
                }
            }
            publishConsumerLimits()
        } }
    }

    /// After a burst of buffering, once nothing is buffered any more, gives the freed heap back
    /// to the kernel. Called every second on the control loop.
    package func returnMemoryAfterBursts() {
        guard bufferBudget.inUse == 0, bufferBudget.takePeak() >= Self.trimAfterPeakBytes else { return }
        HeapTuning.trim()
    }

    /// A burst that buffered at least this much is worth a trim.
    static let trimAfterPeakBytes = 4 << 20

    /// True once serving and until draining begins (`/readyz`).
    package var isReady: Bool { readiness.load(ordering: .acquiring) }

    package func setReady(_ ready: Bool) { readiness.store(ready, ordering: .releasing) }

    var current: ProxySnapshot { state.withLock { $0.current } }

    /// The serving config's consumer key directories, relative to the secrets directory (to watch them).
    package var consumerKeysDirectories: [String] { current.config.consumers.map(\.keysDirectory) }

    var reloadState: ReloadState { state.withLock { $0 } }

    /// Creates the loop's context. Call on the loop's thread, once per loop.
    func attach(_ loop: EventLoop) -> LoopContext {
        let multi = CurlMulti(loop: loop)
        let context = LoopContext(index: loop.index, scheduler: LoopScheduler(loop: loop), upstream: multi,
                                  snapshot: current, dataPlane: self)
        context.redis.makeStores = { limits in RedisStores.connecting(on: loop, configuration: limits.client) }
        if loop.index == 0 {
            context.warmup = WarmupDriver(context: context)
            context.redisSync = RedisSyncDriver(context: context)
        }
        state.withLock { $0.contexts.append(ContextRef(loop: loop, context: context)) }
        return context
    }

    /// Re-reads config and secrets; publishes a new snapshot when they changed and are valid.
    /// An invalid config is rejected and the current one keeps serving.
    package func reload(using loader: ConfigLoader) {
        switch loader.load() {
        case .failure(let error):
            state.withLock {
                $0.failed += 1
                $0.lastError = error.description
                $0.lastErrorAt = clock.wallNanoseconds() / 1_000_000_000
            }
            metrics.reloads.series(labelValues: ["failure"]).increment()
            StandardStreams.writeLine(Self.event("config_rejected", ["error": error.description]))
        case .success(let loaded):
            apply(loaded)
        }
    }

    /// Publishes `loaded` unless its content is what is serving; a config the snapshot cannot
    /// be built from is rejected like an invalid file.
    func apply(_ loaded: LoadedConfig) {
        if loaded.contentHash == current.loaded.contentHash {
            state.withLock { $0.unchanged += 1 }
            metrics.reloads.series(labelValues: ["unchanged"]).increment()
            return
        }
        let snapshot: ProxySnapshot
        do {
            let redis = try redisLimits(for: loaded)
            snapshot = try ProxySnapshot(loaded, loadedAt: clock.wallNanoseconds() / 1_000_000_000,
                                         backendStates: backendStates(for: loaded.config),
                                         limiters: limiters(for: loaded.config), tokenLimiters: tokenLimiters(for: loaded.config),
                                         overrideLimiters: overrideLimiters(for: loaded.config),
                                         redis: redis, cacheTier: cacheTier(for: loaded.config),
                                         semanticIndexes: semanticIndexes(for: loaded.config),
                                         liveWindows: liveWindows(for: loaded.config), keyRings: keyRings(for: loaded),
                                         metrics: metrics)
            state.withLock { $0.redisLimits = redis }
        } catch {
            state.withLock { $0.failed += 1; $0.lastError = error.description }
            metrics.reloads.series(labelValues: ["failure"]).increment()
            StandardStreams.writeLine(Self.event("config_rejected", ["error": error.description]))
            return
        }
        Self.warnAboutInsecureBackends(loaded.config)
        noteStartOnlyChanges(loaded.config)
        publish(snapshot)
        metrics.reloads.series(labelValues: ["success"]).increment()
        metrics.lastReloadSuccess.series().set(Double(snapshot.loadedAt))
        StandardStreams.writeLine(Self.event("config_loaded", ["hash": loaded.hashHex]))
    }

    /// The protection state for each backend of `config`: kept when the backend's settings
    /// did not change, new otherwise.
    private func backendStates(for config: ProxyConfig) -> [BackendState] {
        let now = clock.now()
        let reserved = config.defaults.priorities?.reservedPercent
        return state.withLock { state in
            config.backends.map { backend in
                if let existing = state.backendStates[backend.name],
                   existing.settings == BackendState.Settings(backend, reservedPercent: reserved) {
                    return existing
                }
                let fresh = BackendState(backend, reservedPercent: reserved, now: now)
                state.backendStates[backend.name] = fresh
                return fresh
            }
        }
    }

    /// The key ring of each backend of `loaded`: the serving snapshot's (with its set-aside
    /// keys and its turn) when the backend's keys are the same, in the same order; nil (a fresh
    /// ring) otherwise. A reload that leaves a backend's key files alone does not bring back a
    /// key the provider refused.
    private func keyRings(for loaded: LoadedConfig) -> [KeyRing?] {
        let serving = current
        return loaded.config.backends.map { backend in
            guard let old = serving.backends.first(where: { $0.name == backend.name }), let ring = old.keyRing,
                  serving.loaded.credentials[backend.name] == loaded.credentials[backend.name] else { return nil }
            return ring
        }
    }

    /// The request limiter for each consumer of `config`: kept (with its counts) when the
    /// consumer's limits did not change, new otherwise.
    private func limiters(for config: ProxyConfig) -> [RequestRateLimiter?] {
        state.withLock { state in
            config.meteredParties.map { consumer in
                if let existing = state.limiters[consumer.name], existing.limits == consumer.rateLimits { return existing }
                let fresh = RequestRateLimiter.forConsumer(consumer)
                state.limiters[consumer.name] = fresh
                return fresh
            }
        }
    }

    /// The Redis settings of `loaded`: the previous ones' synced limiters are carried over for
    /// consumers whose limits did not change.
    private func redisLimits(for loaded: LoadedConfig) throws(ProxyConfigError) -> RedisLimits? {
        guard let config = loaded.config.redis else { return nil }
        let previous = state.withLock { $0.redisLimits }
        return try RedisLimits(loaded, config: config, previous: previous, now: clock.now())
    }

    /// The token limiter for each consumer of `config`: kept (with its counts) when the
    /// consumer's token limits and quotas did not change (nor whether they are shared through
    /// Redis), new otherwise.
    private func tokenLimiters(for config: ProxyConfig) -> [TokenLimiter?] {
        state.withLock { state in
            config.meteredParties.map { consumer in
                if let existing = state.tokenLimiters[consumer.name], existing.counts(consumer, in: config) { return existing }
                let fresh = TokenLimiter.forConsumer(consumer, in: config)
                state.tokenLimiters[consumer.name] = fresh
                return fresh
            }
        }
    }

    /// The limiters of each per-model override of each consumer of `config`: kept (with their
    /// counts) while the override's limits (found by consumer and pattern) did not change.
    private func overrideLimiters(for config: ProxyConfig) -> [[ConsumerTable.OverrideLimiters]] {
        state.withLock { state in
            config.meteredParties.map { consumer in
                consumer.models.map { override in
                    let key = Self.overrideKey(consumer.name, override.match)
                    let party = override.party(of: consumer)
                    let fresh = ConsumerTable.freshLimiters(override, of: consumer, in: config)
                    var limiter = fresh.limiter
                    if let existing = state.limiters[key], existing.limits == override.rateLimits { limiter = existing }
                    var tokenLimiter = fresh.tokenLimiter
                    if let existing = state.tokenLimiters[key], existing.counts(party, in: config) { tokenLimiter = existing }
                    state.limiters[key] = limiter
                    state.tokenLimiters[key] = tokenLimiter
                    return (limiter, tokenLimiter)
                }
            }
        }
    }

    /// Where a per-model override's limiters are carried: no consumer name holds a NUL.
    private static func overrideKey(_ consumer: String, _ match: String) -> String { consumer + "\u{0}" + match }

    /// The live window for each registry entry of `config`: kept for a (backend, model) seen
    /// before, new otherwise. In `ModelRegistry`'s entry order.
    private func liveWindows(for config: ProxyConfig) -> [EntryLiveWindow] {
        let entries = ModelRegistry(config).entries
        return state.withLock { state in
            entries.map { entry in
                if let existing = state.liveWindows[RegistryKey(entry)] { return existing }
                let fresh = EntryLiveWindow()
                state.liveWindows[RegistryKey(entry)] = fresh
                return fresh
            }
        }
    }

    /// The memory cache tier for `config`: the current one (with its entries) while
    /// `cache.memory` is unchanged.
    func cacheTier(for config: ProxyConfig) -> MemoryCacheTier? {
        state.withLock { state in
            state.cacheTier = MemoryCacheTier.reusing(state.cacheTier, for: config)
            return state.cacheTier
        }
    }

    /// Each route's semantic index for `config`: the current one (with its vectors) while the
    /// route's `cache.semantic` is unchanged.
    func semanticIndexes(for config: ProxyConfig) -> [SemanticCacheIndex?] {
        state.withLock { state in
            let indexes = SemanticCacheIndex.reusing(state.semanticIndexes, for: config)
            state.semanticIndexes = [:]
            for (route, index) in zip(config.routes, indexes) { if let index { state.semanticIndexes[route.name] = index } }
            return indexes
        }
    }

    /// The listeners are bound at start: a reload that changes them is reported (stderr event,
    /// admin `/config` `restartRequired`, `sluice_config_restart_required`), not silently ignored.
    private func noteStartOnlyChanges(_ config: ProxyConfig) {
        let started = state.withLock { $0.startListeners }
        let message: String? = config.listeners == started ? nil
            : "the listeners changed; the new addresses take effect only when the sidecar restarts"
        state.withLock { $0.restartRequired = message }
        metrics.restartRequired.series().set(message == nil ? 0 : 1)
        if let message { StandardStreams.writeLine(Self.event("config_needs_restart", ["warning": message])) }
    }

    /// Gives a freed concurrency slot to the waiter `ticket`, on its own loop. Takes the reload
    /// lock only to find that loop: once per hand-over to a queued request, never per request.
    func handOver(_ ticket: ConcurrencyTicket, of limiter: ConcurrencyLimiter) {
        guard let ref = state.withLock({ $0.contexts.first { $0.context.index == ticket.owner } }) else { return }
        let box = LimiterRef(limiter: limiter)
        ref.loop.execute { ref.context.resumeWaiter(ticket, of: box.limiter) }
    }

    /// Tells the waiter `ticket`, on its own loop, that it was shed from a backend's queue.
    /// Takes the reload lock only to find that loop: once per shed request.
    func shed(_ ticket: ConcurrencyTicket) {
        guard let ref = state.withLock({ $0.contexts.first { $0.context.index == ticket.owner } }) else { return }
        ref.loop.execute { ref.context.shedWaiter(ticket) }
    }

    private func publish(_ snapshot: ProxySnapshot) {
        bufferBudget.setLimit(snapshot.config.defaults.bufferBudgetBytes)
        let contexts = state.withLock { state in
            state.current = snapshot
            state.succeeded += 1
            state.lastError = nil
            return state.contexts
        }
        for ref in contexts {
            ref.loop.execute { ref.context.publish(snapshot) }
        }
    }

    private static func warnAboutInsecureBackends(_ config: ProxyConfig) {
        for backend in config.backends where backend.tls?.insecureSkipVerify == true {
            StandardStreams.writeLine(event("insecure_backend", [
                "backend": backend.name,
                "warning": "TLS verification is disabled for this backend: its identity is not checked",
            ]))
        }
    }

    /// An operational event as one JSON line for stderr.
    static func event(_ name: String, _ fields: [String: String]) -> String {
        var line: [UInt8] = Array(#"{"event":"#.utf8)
        JSONWriter.appendString(name, to: &line)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            line += ",".utf8
            JSONWriter.appendString(key, to: &line)
            line += ":".utf8
            JSONWriter.appendString(value, to: &line)
        }
        line += "}".utf8
        return String(decoding: line, as: UTF8.self)
    }
}

/// A limiter carried into a loop task (it is `Sendable`; the box only names it).
struct LimiterRef: Sendable {
    let limiter: ConcurrencyLimiter
}

/// A loop context carried across threads, with the loop that owns it.
///
/// `@unchecked Sendable`: the context is only dereferenced inside `loop.execute` closures,
/// that is, on its own loop's thread (its `index` is immutable and read anywhere).
struct ContextRef: @unchecked Sendable {
    let loop: EventLoop
    let context: LoopContext
}

/// A model registry entry's identity across snapshots.
struct RegistryKey: Hashable {
    let backend: String
    let model: String

    init(_ entry: ModelRegistry.Entry) {
        backend = entry.backendName
        model = entry.model
    }
}
