import ProxyCore
import ProxyIO
import ProxyUpstream

/// Sends warmup pings to backends that have been idle (`warmup` in their config), from loop
/// 0's timers: never while real traffic flows, never more often than the schedule says,
/// once at start-up. Results feed the circuit breaker and `sluice_warmup_pings_total`.
///
/// Loop-confined to loop 0.
final class WarmupDriver {
    private let context: LoopContext
    private var timer: (any SessionTimer)?
    private var inFlight: [WarmupPing] = []
    static let tick = ProxyDuration.milliseconds(100)

    init(context: LoopContext) {
        self.context = context
        schedule()
    }

    private func schedule() {
        timer = context.scheduler.schedule(at: context.scheduler.now().advanced(by: Self.tick)) { [weak self] in
            self?.check()
            self?.schedule()
        }
    }

    private func check() {
        let snapshot = context.snapshot
        let now = context.scheduler.now()
        for (index, backendState) in snapshot.backendStates.enumerated() {
            // A backend serving a request is not idle; a ping takes a slot like any request.
            guard let warmup = backendState.warmup, !backendState.isBusy else { continue }
            let due = warmup.withLock { $0.shouldPing(at: now) }  // lint: allow-lock (warmup backends only, every 100 ms)
            guard due else { continue }
            if let limiter = backendState.limiter, !limiter.tryAcquireWithoutQueueing() { continue }
            let request = warmup.withLock { scheduler -> WarmupRequest in  // lint: allow-lock (as above)
                scheduler.recordPingSent(at: now)
                return scheduler.config.request
            }
            backendState.requestStarted()
            snapshot.inFlight[index]?.add(1)
            send(request, to: snapshot.backends[index], index: index, state: backendState)
        }
    }

    private func send(_ request: WarmupRequest, to backend: BackendRuntime, index: Int, state: BackendState) {
        var headers = HTTPHeaders()
        backend.appendCredential(backend.keyRing?.pick(now: context.scheduler.now()) ?? 0, to: &headers)
        headers.append(name: "user-agent", value: "sluice-warmup")
        let upstream: UpstreamRequest
        switch request {
        case .chat(let model, let prompt, let maxTokens):
            var body: [UInt8] = Array(#"{"model":"#.utf8)
            JSONWriter.appendString(model, to: &body)
            body += #","messages":[{"role":"user","content":"#.utf8
            JSONWriter.appendString(prompt, to: &body)
            body += #"}],"max_tokens":\#(maxTokens)}"#.utf8
            headers.append(name: "content-type", value: "application/json")
            // The body is valid in both chat APIs; the path and Anthropic's version header are not.
            let api = ChatAPI(provider: backend.provider)
            if api == .anthropicMessages { headers.append(name: "anthropic-version", value: ProviderHeaders.anthropicVersion) }
            upstream = UpstreamRequest(method: .post, url: backend.url(path: api.path, query: nil, model: model), headers: headers,
                                       body: body, timeouts: backend.timeouts, tls: backend.tls)
        case .get(let path):
            // Under the base URL as configured (Azure: under `/openai`, with the `api-version`).
            upstream = UpstreamRequest(method: .get, url: backend.url(path: "/v1" + path, query: nil), headers: headers, body: [],
                                       timeouts: backend.timeouts, tls: backend.tls)
        }
        let ping = WarmupPing(driver: self, backend: backend.name, index: index, state: state, snapshot: context.snapshot)
        inFlight.append(ping)
        ping.transfer = context.upstream.prepare(upstream, delegate: ping)
        ping.transfer?.start()
    }

    fileprivate func finished(_ ping: WarmupPing, success: Bool) {
        inFlight.removeAll { $0 === ping }
        let now = context.scheduler.now()
        ping.state.warmup?.withLock { $0.recordPingResult(success: success, at: now) }  // lint: allow-lock (once per ping)
        _ = ping.state.record(success: success, at: now)
        ping.snapshot.inFlight[ping.index]?.sub(1)
        ping.state.requestEnded(at: now)
        if let limiter = ping.state.limiter, let ticket = limiter.release() { context.dataPlane.handOver(ticket, of: limiter) }
        context.dataPlane.metrics.warmupPings.series(labelValues: [ping.backend, success ? "success" : "failure"]).increment()  // lint: allow-series (once per ping)
        StandardStreams.writeLine(DataPlane.event("warmup_ping", ["backend": ping.backend, "result": success ? "success" : "failure"]))
    }
}

/// One warmup ping in flight; the body is read and dropped.
final class WarmupPing: UpstreamTransferDelegate {
    unowned(unsafe) let driver: WarmupDriver  // the driver keeps its pings until they finish
    let backend: String
    let index: Int
    let state: BackendState
    /// The snapshot the ping was sent on (its in-flight gauge is the one incremented).
    let snapshot: ProxySnapshot
    var transfer: (any UpstreamHandle)?
    private var status = 0

    init(driver: WarmupDriver, backend: String, index: Int, state: BackendState, snapshot: ProxySnapshot) {
        self.driver = driver
        self.backend = backend
        self.index = index
        self.state = state
        self.snapshot = snapshot
    }

    func upstreamResponseHead(status: Int, headers: HTTPHeaders) { self.status = status }
    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition { .accepted }
    func upstreamFinished(_ failure: UpstreamFailure?) {
        transfer = nil
        driver.finished(self, success: failure == nil && (200..<300).contains(status))
    }
}
