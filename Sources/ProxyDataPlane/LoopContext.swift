import ProxyCore
import ProxyIO
import ProxyUpstream

/// What the request path of one event loop uses: the loop's libcurl multi, the snapshot
/// currently published to it, and a random source for splits and request ids.
///
/// Loop-confined: read and written only on `loop`'s thread (the publisher hops there).
final class LoopContext {
    let loop: EventLoop
    let multi: CurlMulti
    let dataPlane: DataPlane
    var snapshot: ProxySnapshot {
        // Cached series are keyed by the old snapshot's indices.
        didSet {
            requestSeries.removeAll(keepingCapacity: true)
            routeSeries.removeAll(keepingCapacity: true)
            tokenSeries.removeAll(keepingCapacity: true)
            retryBudgets = Self.budgets(for: snapshot)
        }
    }
    private var randomState: UInt64
    private var requestSeries: [UInt64: CounterSeries] = [:]
    /// Requests of this loop waiting in a backend's queue, by ticket id.
    var waiters: [UInt64: ProxySession] = [:]
    /// Loop 0 sends the warmup pings.
    var warmup: WarmupDriver?
    /// Each route's retry budget on this loop, rebuilt with the snapshot.
    private var retryBudgets: [RetryBudget] = []
    private var routeSeries: [UInt32: RouteSeries] = [:]
    private var tokenSeries: [UInt64: TokenSeries] = [:]

    init(loop: EventLoop, snapshot: ProxySnapshot, dataPlane: DataPlane) {
        self.loop = loop
        self.multi = CurlMulti(loop: loop)
        self.snapshot = snapshot
        self.dataPlane = dataPlane
        retryBudgets = Self.budgets(for: snapshot)
        randomState = loop.clock.wallNanoseconds() ^ (UInt64(loop.index) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// Counts a finished request: resolved through the loop's cache, so only the first
    /// request of each (route, backend, model, code) pair on this loop touches the registry.
    func recordRequest(snapshot: ProxySnapshot, decision: RouteDecision?, model: String?, status: Int,
                       duration: ProxyDuration, firstByte: ProxyDuration?) {
        let metrics = dataPlane.metrics
        let route = decision.map { UInt64($0.routeIndex) } ?? 0xFFFF
        let backend = decision.map { UInt64($0.backendIndex) } ?? 0xFFFF
        let modelIndex = snapshot.metricModel(model)
        let key = route << 48 | backend << 32 | UInt64(modelIndex) << 16 | UInt64(UInt16(clamping: status))
        let routeName = decision?.routeName ?? "none"
        let backendName = decision?.backendName ?? "none"
        let counter: CounterSeries
        if let cached = requestSeries[key] {
            counter = cached
        } else {
            counter = metrics.requests.series(labelValues: [routeName, backendName, snapshot.metricModels[modelIndex], String(status)])
            requestSeries[key] = counter
        }
        counter.increment()
        guard decision != nil else { return }
        let pair = UInt32(truncatingIfNeeded: route << 16 | backend)
        let histograms: RouteSeries
        if let cached = routeSeries[pair] {
            histograms = cached
        } else {
            histograms = RouteSeries(duration: metrics.requestDuration.series(labelValues: [routeName, backendName]),
                                     firstByte: metrics.timeToFirstByte.series(labelValues: [routeName, backendName]))
            routeSeries[pair] = histograms
        }
        histograms.duration.observe(Double(duration.nanoseconds) / 1e9)
        if let firstByte { histograms.firstByte.observe(Double(firstByte.nanoseconds) / 1e9) }
    }

    /// Counts a response's tokens (and cost, when the backend has prices for the model).
    func recordUsage(_ usage: TokenUsage, snapshot: ProxySnapshot, decision: RouteDecision, backendIndex: Int,
                     upstreamModel: String?, metricModel: String?, generation: ProxyDuration?) {
        let modelIndex = snapshot.metricModel(metricModel)
        let key = UInt64(decision.routeIndex) << 40 | UInt64(backendIndex) << 20 | UInt64(modelIndex)
        let backendName = snapshot.backends[backendIndex].name
        let series: TokenSeries
        if let cached = tokenSeries[key] {
            series = cached
        } else {
            series = TokenSeries(metrics: dataPlane.metrics, route: decision.routeName, backend: backendName,
                                 model: snapshot.metricModels[modelIndex])
            tokenSeries[key] = series
        }
        guard usage.reported else {
            series.unreported.increment()
            return
        }
        if let n = usage.prompt, n > 0 { series.prompt.increment(by: UInt64(n)) }
        if let n = usage.completion, n > 0 { series.completion.increment(by: UInt64(n)) }
        if let n = usage.cached, n > 0 { series.cached.increment(by: UInt64(n)) }
        if let n = usage.reasoning, n > 0 { series.reasoning.increment(by: UInt64(n)) }
        if let generation, let completion = usage.completion, completion > 0 {
            series.perOutputToken.observe(Double(generation.nanoseconds) / 1e9 / Double(completion))
        }
        if let upstreamModel, let cost = snapshot.backends[backendIndex].costs.cost(of: usage, model: upstreamModel) {
            dataPlane.metrics.cost.series(labelValues: [decision.routeName, backendName, snapshot.metricModels[modelIndex], cost.currency])
                .increment(by: cost.amount)
        }
    }

    private static func budgets(for snapshot: ProxySnapshot) -> [RetryBudget] {
        snapshot.config.routes.map { RetryBudget(percent: snapshot.config.retry(for: $0).budgetPercent) }
    }

    func recordRequestForRetryBudget(route: Int, at now: ProxyInstant) {
        if retryBudgets.indices.contains(route) { retryBudgets[route].recordRequest(at: now) }
    }

    func withRetryBudget<R>(route: Int, _ body: (inout RetryBudget) -> R) -> R {
        if retryBudgets.indices.contains(route) { return body(&retryBudgets[route]) }
        var scratch = RetryBudget(percent: 0)
        return body(&scratch)
    }

    /// A backend's queue handed a slot to `ticket`, one of this loop's waiters. If that request
    /// is gone (its client left), the slot passes on.
    func resumeWaiter(_ ticket: ConcurrencyTicket, of limiter: ConcurrencyLimiter) {
        if let session = waiters.removeValue(forKey: ticket.id) {
            session.slotGranted()
        } else if let next = limiter.release() {
            dataPlane.handOver(next, of: limiter)
        }
    }

    /// SplitMix64: fast, good enough for traffic splitting and request ids (not for secrets).
    func random() -> UInt64 {
        randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A new request id: 32 lowercase hex digits.
    func makeRequestID() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 32)
        for half in 0..<2 {
            var value = random()
            for i in 0..<16 {
                bytes[half * 16 + i] = digits[Int(value & 0xf)]
                value >>= 4
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
