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
    private var timer: LoopTimer?
    private var inFlight: [WarmupPing] = []
    static let tick = ProxyDuration.milliseconds(100)

    init(context: LoopContext) {
        self.context = context
        schedule()
    }

    private func schedule() {
        timer = context.loop.schedule(after: Self.tick) { [weak self] in
            self?.check()
            self?.schedule()
        }
    }

    private func check() {
        let snapshot = context.snapshot
        let now = context.loop.clock.now()
        for (index, backendState) in snapshot.backendStates.enumerated() {
            guard let warmup = backendState.warmup else { continue }
            let due = warmup.withLock { scheduler -> WarmupRequest? in
                guard scheduler.shouldPing(at: now) else { return nil }
                scheduler.recordPingSent(at: now)
                return scheduler.config.request
            }
            guard let request = due else { continue }
            send(request, to: snapshot.backends[index], state: backendState)
        }
    }

    private func send(_ request: WarmupRequest, to backend: BackendRuntime, state: BackendState) {
        var headers = HTTPHeaders()
        if let credential = backend.credential { headers.append(name: credential.name, value: credential.value) }
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
            upstream = UpstreamRequest(method: .post, url: backend.urlPrefix + "/chat/completions", headers: headers, body: body,
                                       timeouts: backend.timeouts, tls: backend.tls)
        case .get(let path):
            upstream = UpstreamRequest(method: .get, url: backend.urlPrefix + path, headers: headers, body: [],
                                       timeouts: backend.timeouts, tls: backend.tls)
        }
        let ping = WarmupPing(driver: self, backend: backend.name, state: state)
        inFlight.append(ping)
        ping.transfer = UpstreamTransfer.make(upstream, on: context.multi, delegate: ping)
        ping.transfer?.start()
    }

    fileprivate func finished(_ ping: WarmupPing, success: Bool) {
        inFlight.removeAll { $0 === ping }
        let now = context.loop.clock.now()
        ping.state.warmup?.withLock { $0.recordPingResult(success: success, at: now) }
        _ = ping.state.record(success: success, at: now)
        context.dataPlane.metrics.warmupPings.series(labelValues: [ping.backend, success ? "success" : "failure"]).increment()
        StandardStreams.writeLine(DataPlane.event("warmup_ping", ["backend": ping.backend, "result": success ? "success" : "failure"]))
    }
}

/// One warmup ping in flight; the body is read and dropped.
final class WarmupPing: UpstreamTransferDelegate {
    unowned(unsafe) let driver: WarmupDriver  // the driver keeps its pings until they finish
    let backend: String
    let state: BackendState
    var transfer: UpstreamTransfer?
    private var status = 0

    init(driver: WarmupDriver, backend: String, state: BackendState) {
        self.driver = driver
        self.backend = backend
        self.state = state
    }

    func upstreamResponseHead(status: Int, headers: HTTPHeaders) { self.status = status }
    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> Bool { true }
    func upstreamFinished(_ failure: UpstreamFailure?) {
        transfer = nil
        driver.finished(self, success: failure == nil && (200..<300).contains(status))
    }
}
