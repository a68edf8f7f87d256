import ProxyCore
import ProxyHTTPServer
import ProxyIO
import ProxyUpstream

/// Phase: upstream attempts. The route's `UpstreamAttemptStateMachine` decides after every
/// outcome: deliver, retry after a wait, fall back, or fail. Nothing reaches the client until
/// it says deliver, so retries and fallbacks stay invisible to the app.
extension ProxySession: UpstreamTransferDelegate {
    /// How the current attempt's response is handled before it is committed to the client.
    enum ResponseMode {
        /// Not decided yet (no head).
        case waiting
        /// Held back: a non-streamed body (for truncation and accounting) or the first part of
        /// a stream (when the route buffers streams for truncation fallback).
        case holding(until: ProxyInstant?)
        /// Committed: the head went to the client; bytes pass through.
        case passing
    }

    func beginAttempts(_ decision: RouteDecision) {
        let now = context.loop.clock.now()
        plan = UpstreamAttemptStateMachine(policy: snapshot.attemptPolicies[decision.routeIndex], primary: AttemptTarget(decision),
                                           clientModel: clientModel, start: started)
        context.recordRequestForRetryBudget(route: decision.routeIndex, at: now)
        startAttempt()
    }

    /// Starts an attempt to the plan's current target, after the breaker and the concurrency
    /// limit allow it (possibly after waiting in the backend's queue).
    func startAttempt() {
        guard let target = plan?.current, response.isConnected else { return }
        let backendState = snapshot.backendStates[target.backendIndex]
        let now = context.loop.clock.now()
        guard backendState.allowRequest(at: now) else { return attemptEnded(.rejected(.ejected)) }
        if let limiter = backendState.limiter {
            switch limiter.acquire(at: now, owner: context.loop.index) {
            case .granted:
                holdingSlot = true
            case .queued(let ticket, _, let deadline):
                queueTicket = ticket
                context.waiters[ticket.id] = self
                queueTimer = context.loop.schedule(at: deadline) { [weak self] in self?.queueTimedOut() }
                return
            case .rejected(let reason):
                return attemptEnded(.rejected(reason))
            }
        }
        send(to: target, backendState: backendState, now: now)
    }

    /// The queue handed this request a slot (on this loop).
    func slotGranted() {
        queueTimer?.cancel()
        queueTicket = nil
        holdingSlot = true
        guard let target = plan?.current else { return releaseSlot() }
        send(to: target, backendState: snapshot.backendStates[target.backendIndex], now: context.loop.clock.now())
    }

    private func queueTimedOut() {
        guard let ticket = queueTicket, let target = plan?.current,
              let limiter = snapshot.backendStates[target.backendIndex].limiter else { return }
        context.waiters[ticket.id] = nil
        queueTicket = nil
        // If the slot was handed over just now, that hand-off finds no waiter and passes it on.
        _ = limiter.cancel(ticket)
        attemptEnded(.rejected(.queueTimeout))
    }

    /// An attempt that ended without a response (rejected locally before sending).
    private func attemptEnded(_ outcome: AttemptOutcome) {
        perform(next(after: outcome, at: context.loop.clock.now()), abandoning: false)
    }

    /// Gives back the concurrency slot of the current attempt, handing it to the next waiter.
    func releaseSlot() {
        guard holdingSlot, let target = plan?.current else { return }
        holdingSlot = false
        snapshot.inFlight[target.backendIndex]?.sub(1)
        guard let limiter = snapshot.backendStates[target.backendIndex].limiter else { return }
        if let ticket = limiter.release() { context.dataPlane.handOver(ticket, of: limiter) }
    }

    /// Leaves the backend's queue if waiting in it (the client went away).
    func leaveQueue() {
        guard let ticket = queueTicket, let target = plan?.current,
              let limiter = snapshot.backendStates[target.backendIndex].limiter else { return }
        queueTimer?.cancel()
        context.waiters[ticket.id] = nil
        queueTicket = nil
        _ = limiter.cancel(ticket)  // if already handed over, the hand-off releases it
    }

    private func send(to target: AttemptTarget, backendState: BackendState, now: ProxyInstant) {
        guard let plan else { return }
        let backend = snapshot.backends[target.backendIndex]
        backendState.recordTraffic(at: now)
        if holdingSlot || backendState.limiter == nil { snapshot.inFlight[target.backendIndex]?.add(1) }
        if backendState.limiter == nil { holdingSlot = true }
        attempts += 1
        attemptStartedAt = now
        upstreamModel = target.model
        mode = .waiting
        held = []
        heldHead = nil
        heldUsage = nil
        // Room for the client's fields and the three added: no regrowth while appending.
        var headers = HTTPHeaders(reservingCapacity: head.headers.count + 3)
        let connectionNamed = head.headers.connectionOptions
        for (name, value) in head.headers where !HopByHop.isDroppedFromRequest(name) {
            if !connectionNamed.isEmpty, connectionNamed.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            // A trace the app did not start (or sent malformed) is replaced by ours, state and all.
            if !traceFromClient, HTTPHeaders.namesEqual(name, "traceparent") || HTTPHeaders.namesEqual(name, "tracestate") { continue }
            headers.append(name: name, value: value)
        }
        if !traceFromClient { headers.append(name: "traceparent", value: trace.traceparent) }
        if !head.headers.contains("x-request-id") { headers.append(name: "x-request-id", value: requestID) }
        if let credential = backend.credential { headers.append(name: credential.name, value: credential.value) }
        var upstreamBody = body
        if let model = target.model, model != clientModel, let range = modelRange {
            var quoted: [UInt8] = []
            JSONWriter.appendString(model, to: &quoted)
            upstreamBody = JSONBodyRewriter.replacingValue(in: body, at: range, with: quoted)
        }
        upstreamBody = withUsageRequested(upstreamBody, backend: backend)
        var timeouts = backend.timeouts
        let remaining = plan.remaining(at: now)
        timeouts.total = min(timeouts.total, remaining)
        timeouts.firstByte = min(timeouts.firstByte, remaining)
        let request = backend.request(for: head, headers: headers, body: upstreamBody, timeouts: timeouts)
        transfer = UpstreamTransfer.make(request, on: context.multi, delegate: self)
        transfer?.start()
    }

    // MARK: UpstreamTransferDelegate

    func upstreamResponseHead(status: Int, headers upstreamHeaders: HTTPHeaders) {
        guard let target = plan?.current else { return }
        let now = context.loop.clock.now()
        let backendState = snapshot.backendStates[target.backendIndex]
        if let attemptStartedAt { backendState.recordFirstByte(after: now.duration(since: attemptStartedAt), at: now) }
        // A 429 says "not now", not "broken": it does not count against the breaker.
        recordBreaker(success: status < 500, target: target, now: now)
        if status == 429 || status >= 500 {
            context.dataPlane.metrics.upstreamErrors.series(labelValues: [target.backendName, status == 429 ? "rate_limited" : "server_error"]).increment()
        }
        if firstByteAt == nil { firstByteAt = now }
        let eventStream = upstreamHeaders.first("content-type")?.utf8.starts(with: "text/event-stream".utf8) ?? false
        heldHead = (status, upstreamHeaders, eventStream)
        if (200..<300).contains(status) {
            let truncation = snapshot.truncation[decision?.routeIndex ?? 0]
            if !eventStream {
                mode = .holding(until: nil)  // a whole JSON body: small, and read for truncation
            } else if truncationFallbackPossible, truncation.bufferStreams > .zero {
                mode = .holding(until: now.advanced(by: truncation.bufferStreams))
            } else {
                commit(truncated: false)
            }
            return
        }
        let epoch = context.loop.clock.wallNanoseconds() / 1_000_000_000
        let outcome = AttemptOutcome.status(status, retryAfter: RetryAfter.wait(in: upstreamHeaders, nowEpochSeconds: epoch))
        perform(next(after: outcome, at: now), abandoning: true)
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch mode {
        case .passing:
            guard response.isConnected else { return true }
            passOn(bytes)
            return response.isWritable
        case .holding(let until):
            held.append(contentsOf: bytes)
            let limit = decision.map { snapshot.truncation[$0.routeIndex].bufferBytes } ?? 0
            let expired = until.map { context.loop.clock.now() >= $0 } ?? false
            if held.count > limit || expired {
                commit(truncated: false)
                return response.isWritable
            }
            return true
        case .waiting:
            return true
        }
    }

    func responseWritable() {
        transfer?.resume()
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        transfer = nil
        guard let target = plan?.current else { return }
        let now = context.loop.clock.now()
        if let failure {
            recordBreaker(success: false, target: target, now: now)
            context.dataPlane.metrics.upstreamErrors.series(labelValues: [target.backendName, failure.kind]).increment()
        }
        if case .passing = mode {
            releaseSlot()
            return finishCommitted(failure)
        }
        guard let failure else {
            // The whole response is held: see whether it was cut off at the token limit.
            let verdict = heldTruncationVerdict()
            if verdict.isTruncated {
                let action = next(after: .truncated, at: now)
                if case .deliver = action { return commit(truncated: true, finished: true) }
                return perform(action, abandoning: false)
            }
            _ = next(after: .success, at: now)
            return commit(truncated: false, finished: true)
        }
        errorCode = "upstream_\(failure.kind)"
        let outcome: AttemptOutcome
        switch failure {
        case .connect, .tls: outcome = .connectFailure
        case .connectTimeout: outcome = .timeout(.connect)
        case .firstByteTimeout: outcome = .timeout(.firstByte)
        case .idleTimeout: outcome = .timeout(.idle)
        case .totalTimeout: outcome = .timeout(.total)
        case .broken, .invalidResponse: outcome = heldHead == nil ? .connectFailure : .brokenAfterFirstByte
        case .cancelled: return
        }
        lastFailure = failure
        perform(next(after: outcome, at: now), abandoning: false)
    }

    // MARK: Deciding

    private var truncationFallbackPossible: Bool {
        plan?.policy.triggers.truncation ?? false
    }

    private func next(after outcome: AttemptOutcome, at now: ProxyInstant) -> UpstreamAttemptAction {
        guard var machine = plan, let decision else { return .deliver }
        let committed: Bool
        if case .passing = mode { committed = true } else { committed = false }
        let states = snapshot.backendStates
        let action = context.withRetryBudget(route: decision.routeIndex) { budget in
            machine.next(after: outcome, at: now, committed: committed, random: context.random(), budget: &budget,
                         isAvailable: { states[$0].isAvailable(at: now) })
        }
        plan = machine
        return action
    }

    /// Carries out the plan's decision. `abandoning`: the current transfer is still running
    /// (a status the plan did not deliver) and must be cancelled.
    private func perform(_ action: UpstreamAttemptAction, abandoning: Bool) {
        switch action {
        case .deliver:
            commit(truncated: false)
        case .retry(let wait, _):
            endAttempt(abandoning: abandoning)
            if let decision { context.dataPlane.metrics.retries.series(labelValues: [decision.routeName, plan?.current.backendName ?? ""]).increment() }
            // Scheduled, never started inline: we may be inside a libcurl callback.
            retryTimer = context.loop.schedule(after: wait) { [weak self] in self?.startAttempt() }
        case .fallback(let target, let reason):
            let from = plan?.records.last?.target.backendName ?? ""
            endAttempt(abandoning: abandoning)
            if let decision {
                context.dataPlane.metrics.fallbacks.series(labelValues: [decision.routeName, from, target.backendName, reason.metricLabel]).increment()
            }
            retryTimer = context.loop.schedule(after: .zero) { [weak self] in self?.startAttempt() }
        case .fail(let failure):
            endAttempt(abandoning: abandoning)
            var headers = HTTPHeaders()
            if case .overloaded(let retryAfter) = failure {
                headers.append(name: "retry-after", value: String(max(1, retryAfter.milliseconds / 1000)))
            }
            let code = failure.code ?? errorCode ?? "upstream_error"
            let message = failure.code == nil ? (lastFailure?.message ?? "the provider failed") : Self.message(for: failure)
            fail(failure.status, code, message, extraHeaders: headers)
        }
    }

    private static func message(for failure: AttemptFailure) -> String {
        switch failure {
        case .deadlineExceeded: "the request's deadline passed before a provider answered"
        case .overloaded: "every backend for this request is at its concurrency limit; retry later"
        case .upstream, .committed: "the provider failed"
        }
    }

    private func endAttempt(abandoning: Bool) {
        if abandoning {
            transfer?.cancel()
            transfer = nil
        }
        releaseSlot()
        mode = .waiting
        held = []
        heldHead = nil
        heldUsage = nil
    }

    private func recordBreaker(success: Bool, target: AttemptTarget, now: ProxyInstant) {
        if snapshot.backendStates[target.backendIndex].record(success: success, at: now) {
            context.dataPlane.metrics.ejections.series(labelValues: [target.backendName]).increment()
            StandardStreams.writeLine(DataPlane.event("backend_ejected", ["backend": target.backendName]))
        }
    }

    /// Whether the whole held response stopped short. A JSON body's usage is read in the same
    /// pass and kept for `commit`.
    private func heldTruncationVerdict() -> TruncationVerdict {
        guard let heldHead, (200..<300).contains(heldHead.status) else { return .complete }
        if heldHead.eventStream {
            var parser = SSEParser()
            var detector = TruncationDetector(clientSetMaxTokens: clientSetMaxTokens)
            let items = (try? parser.feed(held)) ?? []
            for case .event(let event) in items { detector.observe(event) }
            return detector.finish(streamEnd: parser.finish())
        }
        let facts = CompletionBodyFacts(body: held, clientSetMaxTokens: clientSetMaxTokens)
        heldUsage = facts.usage
        return facts.truncation
    }

    // MARK: Committing to the client

    /// Sends the held head (and body) to the client; from here on bytes pass through.
    private func commit(truncated: Bool, finished: Bool = false) {
        guard let (status, upstreamHeaders, eventStream) = heldHead else { return }
        self.status = status
        upstreamIsEventStream = eventStream
        var headers = HTTPHeaders(reservingCapacity: upstreamHeaders.count + 8)
        for (name, value) in upstreamHeaders where !HopByHop.isDroppedFromResponse(name) {
            headers.append(name: name, value: value)
        }
        headers.replaceOrAppend(name: "x-request-id", value: requestID)
        if let decision { appendRouteHeaders(to: &headers, decision) }
        if truncated { headers.append(name: "x-sluice-truncated", value: "true") }
        if (200..<300).contains(status) {
            if eventStream {
                usageFilter = UsageStreamFilter(stripsUsage: forcedUsage)
                if finished {
                    // The whole stream is here: filter it first, so its length is what the client gets.
                    var filtered: [UInt8] = []
                    held.withUnsafeBytes { bytes in usageFilter!.feed(bytes) { filtered.append(contentsOf: $0) } }
                    let end = usageFilter!.finish { filtered.append(contentsOf: $0) }
                    usageFilter = nil
                    held = filtered
                    account(end.usage)
                }
            } else if finished {
                account(heldUsage ?? UsageExtractor.usage(fromBody: held))
            }
        }
        // A held body has its length; a passing one streams (chunked to HTTP/1.1 clients).
        let contentLength: Int? = finished ? held.count : (eventStream ? nil : Int(upstreamHeaders.first("content-length") ?? ""))
        response.writeHead(HTTPResponseHead(status: status, headers: headers), contentLength: contentLength)
        mode = .passing
        if !held.isEmpty {
            let body = held
            held = []
            body.withUnsafeBytes { passOn($0) }
        }
        if finished {
            releaseSlot()
            response.finish()
            logging()
        }
    }

    /// The transfer ended after the client got the head.
    private func finishCommitted(_ failure: UpstreamFailure?) {
        if var filter = usageFilter {
            usageFilter = nil
            let end = filter.finish { response.writeBody($0) }
            account(end.usage)
            if failure == nil && !end.endedCleanly, let target = plan?.current {
                errorCode = "upstream_truncated"
                context.dataPlane.metrics.upstreamErrors.series(labelValues: [target.backendName, "truncated"]).increment()
            }
        }
        guard let failure else {
            response.finish()
            logging()
            return
        }
        errorCode = "upstream_\(failure.kind)"
        if upstreamIsEventStream {
            // After the first byte nothing can be retried: end the stream with an error
            // event in OpenAI's shape and no `[DONE]`, so the client sees the failure.
            var event: [UInt8] = Array("event: error\ndata: ".utf8)
            event += ProxyErrorBody.json(message: failure.message, type: "api_error", code: errorCode!)
            event += Array("\n\n".utf8)
            response.writeBody(event)
            response.finish()
        } else {
            // A body with a declared length cannot be ended honestly short: reset.
            response.resetConnection()
        }
        logging()
    }
}

extension FallbackReason {
    /// A bounded label for `sluice_fallbacks_total{reason}` (`docs/metrics.md`).
    var metricLabel: String {
        switch self {
        case .triggered(let outcome):
            switch outcome {
            case .status(429, _): "rate_limited"
            case .status(let code, _): code >= 500 ? "server_error" : "status"
            case .connectFailure: "connect"
            case .timeout: "timeout"
            case .truncated: "truncated"
            case .brokenAfterFirstByte: "broken"
            case .rejected(.noQueue): "no_queue"
            case .rejected(.queueFull): "queue_full"
            case .rejected(.queueTimeout): "queue_timeout"
            case .rejected(.ejected): "ejected"
            case .success: "status"
            }
        case .waitBeyondDeadline: "wait_beyond_deadline"
        case .retryBudgetExhausted: "retry_budget_exhausted"
        }
    }
}
