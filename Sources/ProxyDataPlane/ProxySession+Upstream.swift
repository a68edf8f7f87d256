import ProxyCore
import ProxyHTTPServer
import ProxyIO
import ProxyUpstream

/// The concurrency slot of the current attempt.
enum AttemptSlot {
    case none
    /// Counted in flight at the backend (and holding a limiter slot when it has a limit).
    case held(backendIndex: Int)
    /// Waiting in the backend's queue.
    case queued(ConcurrencyTicket, backendIndex: Int, since: ProxyInstant)
}

/// Phase 8, upstream attempts: admission (breaker, concurrency limit, queue), sending, and the
/// transfer's events. Nothing reaches the client until the state machine says commit, so
/// retries and fallbacks stay invisible to the app.
extension ProxySession: UpstreamTransferDelegate {
    /// Feeds the machine an event that may consult the attempt plan (retry budget, randomness,
    /// backend availability), then performs its answer.
    func decide(_ event: (inout SessionStateMachine, ProxyInstant, UInt64, inout RetryBudget, (Int) -> Bool) -> SessionAction) {
        let now = loop.scheduler.now()
        let states = snapshot.backendStates
        let route = context.decision?.routeIndex ?? 0
        let action = event(&machine, now, loop.random(), &loopSnapshot.retryBudgets[route], { states[$0].isAvailable(at: now) })
        perform(action)
    }

    // MARK: Admission

    /// Asks the breaker and the concurrency limit whether `target` may be sent to now.
    func admit(_ target: AttemptTarget) {
        let backendState = snapshot.backendStates[target.backendIndex]
        let now = loop.scheduler.now()
        guard backendState.allowRequest(at: now) else {
            return decide { $0.admitted(.rejected(.ejected), at: $1, random: $2, budget: &$3, isAvailable: $4) }
        }
        if let limiter = backendState.limiter {
            switch limiter.acquire(at: now, owner: loop.index, priority: context.priority) {
            case .granted:
                break
            case .queued(let ticket, _, let deadline, let displaced):
                if let displaced { loop.dataPlane.shed(displaced) }
                slot = .queued(ticket, backendIndex: target.backendIndex, since: now)
                loop.waiters[ticket.id] = self
                armWaitTimer(at: deadline) { [self] in queueTimedOut() }
                return decide { $0.admitted(.queued, at: $1, random: $2, budget: &$3, isAvailable: $4) }
            case .rejected(let reason):
                if reason == .queueFull {
                    loopSnapshot.shed(backend: target.backendIndex, priority: context.priority, reason: .queueFull).increment()
                }
                return decide { $0.admitted(.rejected(reason), at: $1, random: $2, budget: &$3, isAvailable: $4) }
            }
        }
        holdSlot(target.backendIndex)
        let guarded = snapshot.backends[target.backendIndex].firstTokenTimeout != nil
        decide { $0.admitted(.granted(guardsFirstToken: guarded), at: $1, random: $2, budget: &$3, isAvailable: $4) }
    }

    /// The queue handed this request a slot (on this loop).
    func slotGranted() {
        guard case .queued(_, let backendIndex, let since) = slot else { return }
        waitTimer?.cancel()
        waitTimer = nil
        loopSnapshot.queueWait(backend: backendIndex, priority: context.priority)
            .observe(Double(loop.scheduler.now().duration(since: since).nanoseconds) / 1e9)
        holdSlot(backendIndex)
        perform(machine.slotGranted(guardsFirstToken: snapshot.backends[backendIndex].firstTokenTimeout != nil))
    }

    /// A higher-priority request pushed this one out of the backend's full queue (on this loop).
    func slotShed() {
        guard case .queued(let ticket, let backendIndex, _) = slot else { return }
        waitTimer?.cancel()
        waitTimer = nil
        loop.waiters[ticket.id] = nil
        slot = .none
        loopSnapshot.shed(backend: backendIndex, priority: context.priority, reason: .displaced).increment()
        decide { $0.queueShed(at: $1, random: $2, budget: &$3, isAvailable: $4) }
    }

    private func queueTimedOut() {
        guard case .queued(let ticket, let backendIndex, _) = slot else { return }
        loop.waiters[ticket.id] = nil
        slot = .none
        // If the slot was handed over just now, that hand-off finds no waiter and passes it on.
        _ = snapshot.backendStates[backendIndex].limiter?.cancel(ticket)
        decide { $0.queueExpired(at: $1, random: $2, budget: &$3, isAvailable: $4) }
    }

    private func holdSlot(_ backendIndex: Int) {
        slot = .held(backendIndex: backendIndex)
        snapshot.inFlight[backendIndex]?.add(1)
        snapshot.backendStates[backendIndex].requestStarted()
    }

    /// Gives back the current attempt's slot (handing it to the next waiter), or leaves the queue.
    func releaseSlot() {
        switch slot {
        case .none:
            return
        case .queued(let ticket, let backendIndex, _):
            loop.waiters[ticket.id] = nil
            _ = snapshot.backendStates[backendIndex].limiter?.cancel(ticket)  // if already handed over, the hand-off releases it
        case .held(let backendIndex):
            let backendState = snapshot.backendStates[backendIndex]
            snapshot.inFlight[backendIndex]?.sub(1)
            backendState.requestEnded(at: loop.scheduler.now())
            if let limiter = backendState.limiter, let ticket = limiter.release() { loop.dataPlane.handOver(ticket, of: limiter) }
        }
        slot = .none
    }

    // MARK: Sending

    func send(to target: AttemptTarget) {
        guard let plan = machine.plan else { return }
        let backend = snapshot.backends[target.backendIndex]
        let now = loop.scheduler.now()
        attempt.startedAt = now
        context.upstreamModel = target.model
        context.answeringBackend = target
        context.firstTokenAt = nil
        held.bytes = []
        held.head = nil
        let translation = AttemptTranslation(client: context.clientAPI, provider: backend.provider,
                                             defaultMaxTokens: backend.defaultMaxTokens)
        attempt.translation = translation
        attempt.answerTranslator = nil
        // Room for the client's fields and the four added: no regrowth while appending.
        var headers = HTTPHeaders(reservingCapacity: head.headers.count + 4)
        let connectionNamed = head.headers.connectionOptions
        for (name, value) in head.headers where !HopByHop.isDroppedFromRequest(name) {
            if !connectionNamed.isEmpty, connectionNamed.contains(where: { HTTPHeaders.namesEqual($0, name) }) { continue }
            // The sidecar is a participant of the trace: the provider's parent is the sidecar's
            // span. A trace the app did not start (or sent malformed) drops its state too.
            if HTTPHeaders.namesEqual(name, "traceparent") { continue }
            if !context.traceFromClient, HTTPHeaders.namesEqual(name, "tracestate") { continue }
            if translation != nil, !ProviderHeaders.crossesTranslation(name) { continue }
            headers.append(name: name, value: value)
        }
        headers.append(name: "traceparent", value: context.span.traceparent)
        if !head.headers.contains("x-request-id") { headers.append(name: "x-request-id", value: context.requestID) }
        if triedKeys.backend != target.backendIndex { triedKeys = (target.backendIndex, 0) }
        attempt.key = backend.keyRing?.pick(now: now, avoiding: triedKeys.mask) ?? 0
        triedKeys.mask |= 1 << UInt64(attempt.key)
        backend.appendCredential(attempt.key, to: &headers)
        if translation?.upstream == .anthropicMessages { headers.append(name: "anthropic-version", value: ProviderHeaders.anthropicVersion) }
        var upstreamBody = body
        if let model = target.model, model != context.clientModel, let range = context.modelRange {
            var quoted: [UInt8] = []
            JSONWriter.appendString(model, to: &quoted)
            upstreamBody = JSONBodyRewriter.replacingValue(in: body, at: range, with: quoted)
        }
        if let translation {
            do throws(ProviderTranslationError) {
                let translated = try translation.request(upstreamBody)
                upstreamBody = translated.body
                attempt.translatedIncludeUsage = translated.includeUsage
                account.passesUsageThrough()
            } catch {
                return perform(machine.attemptRefused(LocalAnswer(
                    status: 400, code: "untranslatable_request",
                    message: "the request cannot be sent to backend \(backend.name) (\(backend.provider.rawValue)): \(error.message)")))
            }
        } else {
            upstreamBody = account.upstreamBody(upstreamBody, streamRequested: context.streamRequested, backend: backend,
                                                path: head.path)
        }
        // A rewritten body is a second copy while the attempt runs: it counts in the budget.
        if upstreamBody.count > 0, !upstreamBody.withUnsafeBytes({ a in body.withUnsafeBytes { $0.baseAddress == a.baseAddress } }) {
            attempt.charged = upstreamBody.count
            loop.dataPlane.bufferBudget.charge(attempt.charged)
        }
        var timeouts = backend.timeouts
        let remaining = plan.remaining(at: now)
        timeouts.total = min(timeouts.total, remaining)
        timeouts.firstByte = min(timeouts.firstByte, remaining)
        let request = backend.request(for: head, translated: translation?.upstream, model: target.model, key: attempt.key, headers: headers,
                                      body: upstreamBody, timeouts: timeouts)
        if let firstToken = backend.firstTokenTimeout {
            firstTokenTimer = loop.scheduler.schedule(at: now.advanced(by: min(firstToken, remaining))) { [self] in
                firstTokenTimer = nil
                countError(.firstTokenTimeout)
                decide { $0.firstTokenTimerFired(at: $1, random: $2, budget: &$3, isAvailable: $4) }
            }
        }
        // Held before it starts: a transfer can finish inside `start()`.
        transfer = loop.upstream.prepare(request, delegate: self)
        transfer?.start()
    }

    // MARK: UpstreamTransferDelegate

    func upstreamResponseHead(status: Int, headers upstreamHeaders: HTTPHeaders) {
        guard let target = context.answeringBackend else { return }
        let now = loop.scheduler.now()
        // A 429 says "not now", not "broken": it does not count against the breaker.
        recordBreaker(success: status < 500, target: target, now: now)
        if status == 429 { countError(.rateLimited) } else if status >= 500 { countError(.serverError) }
        // The entry's live error rate counts the attempt once, by its head (a later break is not counted).
        snapshot.recordAttempt(of: target, status == 429 || status >= 500 ? .failed : .answered, at: now)
        let eventStream = upstreamHeaders.first("content-type")?.utf8.starts(with: "text/event-stream".utf8) ?? false
        held.head = upstreamHeaders
        held.eventStream = eventStream
        let epoch = loop.scheduler.wallNanoseconds() / 1_000_000_000
        cacheStore.attemptAnswered(status: status, translation: attempt.translation.map { ($0, created: Int(epoch)) },
                                   guarded: responseGuard != nil, context: context, snapshot: snapshot)
        attempt.firstTokenDetector = FirstTokenDetector(eventStream: eventStream)
        let retryAfter = RetryAfter.wait(in: upstreamHeaders, nowEpochSeconds: epoch)
        if let reason = KeyRefusal(status: status), let ring = snapshot.backends[target.backendIndex].keyRing {
            // The provider refused this key: set it aside, and try another at once when one is left.
            let wait = reason == .rateLimited ? retryAfter ?? .seconds(1) : snapshot.backends[target.backendIndex].keyCooldown
            ring.setAside(attempt.key, until: now.advanced(by: wait))
            loopSnapshot.keysSetAside(backend: target.backendIndex, key: attempt.key, reason: reason).increment()
            if ring.hasUntriedKey(now: now, tried: triedKeys.mask) { return perform(machine.resendWithAnotherKey()) }
        }
        if let translation = attempt.translation {
            attempt.answerTranslator = AnswerTranslator(direction: translation, upstreamStatus: status, eventStream: eventStream,
                                                includeUsage: attempt.translatedIncludeUsage, created: Int(epoch))
        } else if status >= 400, let client = context.clientAPI {
            // A chat client gets its provider's errors in its own shape, even through pass-through.
            attempt.answerTranslator = AnswerTranslator(passThroughErrorOf: client, upstreamStatus: status)
        }
        decide {
            $0.responseHead(status: status, eventStream: eventStream, retryAfter: retryAfter, at: $1, random: $2, budget: &$3,
                            isAvailable: $4)
        }
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        // Holding more needs room in the process's buffer budget; without it the response is committed.
        let budget = loop.dataPlane.bufferBudget
        let reserved = machine.isHolding && budget.reserve(bytes.count) == .granted
        // Decided before a byte is used: a paused piece is offered again, whole, on resume.
        // A stream whose next window of text waits for the moderation service waits like a slow client.
        let disposition = machine.bodyBytes(count: bytes.count, held: held.bytes.count,
                                            clientWritable: response.isWritable && !answerModerationWantsPause,
                                            at: loop.scheduler.now(), mayHoldMore: reserved || !machine.isHolding)
        if reserved, disposition != .hold { budget.release(bytes.count) }
        cacheStore.record(bytes, disposition)
        switch disposition {
        case .pauseWithoutConsuming:
            return .pauseWithoutConsuming
        case .discard:
            return .accepted
        case .pass:
            noteFirstToken(bytes)
            if passOn(bytes) { endGuardedStream() }
        case .hold:
            held.reserved += bytes.count
            held.bytes.append(contentsOf: bytes)
            noteFirstToken(bytes)
        case .holdThenCommit:
            held.bytes.append(contentsOf: bytes)
            noteFirstToken(bytes)
            if commit(truncated: false, finished: false) == .blocked { endGuardedStream() }
        }
        return .accepted
    }

    /// Gives what the held response reserved back to the buffer budget (its bytes went to the
    /// client's output buffer, or were dropped with the attempt).
    func releaseHeld() {
        loop.dataPlane.bufferBudget.release(held.reserved)
        held.reserved = 0
    }

    /// Gives back the budget of the attempt's rewritten body (the transfer ended or was dropped).
    func releaseAttemptCharge() {
        loop.dataPlane.bufferBudget.release(attempt.charged)
        attempt.charged = 0
    }

    /// Watches consumed bytes for the attempt's first token (time to first token, the
    /// first-token timeout, latency shifting).
    private func noteFirstToken(_ bytes: UnsafeRawBufferPointer) {
        guard !attempt.firstTokenDetector.hasFound, case .found = attempt.firstTokenDetector.feed(bytes) else { return }
        let now = loop.scheduler.now()
        firstTokenTimer?.cancel()
        firstTokenTimer = nil
        context.firstTokenAt = now
        if let target = context.answeringBackend {
            let duration = now.duration(since: attempt.startedAt)
            snapshot.backendStates[target.backendIndex].recordFirstToken(after: duration, at: now)
            snapshot.recordFirstToken(of: target, after: duration, at: now)
        }
        perform(machine.firstToken(at: now))
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        transfer = nil
        guard let target = context.answeringBackend else { return }
        let now = loop.scheduler.now()
        guard let failure else {
            let verdict = machine.isCommitted ? TruncationVerdict.complete : heldTruncationVerdict()
            return decide { $0.upstreamFinished(.complete, verdict: verdict, at: $1, random: $2, budget: &$3, isAvailable: $4) }
        }
        recordBreaker(success: false, target: target, now: now)
        if !machine.hasHead { snapshot.recordAttempt(of: target, .failed, at: now) }
        let kind = UpstreamErrorKind(failure)
        countError(kind)
        lastFailure = failure
        let outcome: AttemptOutcome
        switch failure {
        case .connect, .tls: outcome = .connectFailure
        case .connectTimeout: outcome = .timeout(.connect)
        case .firstByteTimeout: outcome = .timeout(.firstByte)
        case .idleTimeout: outcome = .timeout(.idle)
        case .totalTimeout: outcome = .timeout(.total)
        case .broken, .invalidResponse: outcome = machine.hasHead ? .brokenAfterFirstByte : .connectFailure
        case .cancelled: outcome = .brokenAfterFirstByte
        }
        decide {
            $0.upstreamFinished(.failed(outcome, kind: kind.label), verdict: .complete, at: $1, random: $2, budget: &$3,
                                isAvailable: $4)
        }
    }

    // MARK: Committing to the client

    /// Sends the held head (and body, when `finished`) to the client; from here on bytes pass.
    /// `.blocked` when a guard rule cut the answer while the held bytes passed: the caller ends
    /// the transfer (unless it already ended).
    @discardableResult
    func commit(truncated: Bool, finished: Bool) -> GuardCut {
        guard let upstreamHeaders = held.head else { return .passed }
        var status = attempt.answerTranslator?.clientStatus ?? machine.status
        var headers = HTTPHeaders(reservingCapacity: upstreamHeaders.count + 14)
        for (name, value) in upstreamHeaders where !HopByHop.isDroppedFromResponse(name) {
            headers.append(name: name, value: value)
        }
        headers.replaceOrAppend(name: "x-request-id", value: context.requestID)
        appendSidecarHeaders(to: &headers)
        if truncated { headers.append(name: "x-sluice-truncated", value: "true") }
        let ok = (200..<300).contains(machine.status)
        if ok && held.eventStream {
            account.beginStream(countsOutput: context.tokenReservation != nil)
            beginGuardedStream()
            if finished {
                // The whole stream is here: filter it first, so its length is what the client gets.
                var filtered: [UInt8] = []
                let blocked = held.bytes.withUnsafeBytes { bytes in forward(bytes) { filtered.append(contentsOf: $0) } }
                if blocked { context.errorCode = "content_blocked" }
                let end = account.endStream { bytes in
                    translate(bytes) { translated in if !blocked { _ = guardPass(translated) { filtered.append(contentsOf: $0) } } }
                }
                if !blocked { guardFinish { filtered.append(contentsOf: $0) } }
                held.bytes = filtered
                if let end { AccountPhase.record(end.usage, streamed: true, context: &context, on: loopSnapshot, now: loop.scheduler.now()) }
            }
        } else if ok && finished {
            let usage = held.facts?.usage ?? UsageExtractor.usage(fromBody: held.bytes)
            AccountPhase.record(usage, streamed: false, context: &context, on: loopSnapshot, now: loop.scheduler.now())
        } else if ok {
            if guardRefusesUnheldAnswer {
                // Too large to hold, so it cannot be checked whole: nothing of it goes out.
                context.errorCode = "guard_answer_too_large"
                response.resetConnection()
                releaseHeld()
                held.bytes = []
                return .blocked
            }
            account.beginBodyTail()
        }
        if attempt.answerTranslator?.isWhole == true {
            headers.replaceOrAppend(name: "content-type", value: "application/json")
            if status == 503, machine.status == 529, !headers.contains("retry-after") {
                // Anthropic's overloaded, as OpenAI clients retry it.
                headers.append(name: "retry-after", value: "1")
            }
            if finished {
                held.bytes.withUnsafeBytes { bytes in attempt.answerTranslator!.feed(bytes) { _ in } }
                if let whole = attempt.answerTranslator!.finish() {
                    status = whole.status
                    held.bytes = whole.body
                }
                attempt.answerTranslator = nil
            }
        }
        // The guard reads a whole answer in the client's API: after its translation.
        if ok, finished, !held.eventStream, let guarded = guardWholeAnswer(held.bytes) { held.bytes = guarded }
        if finished, truncated { context.errorCode = "upstream_truncated" }
        if status != machine.status { machine.answerStatusRewritten(to: status) }
        // A held body has its length; a passing one streams (chunked to HTTP/1.1 clients), and
        // so does one translated (its length is known only at its end).
        let contentLength: Int? = if finished {
            held.bytes.count
        } else if held.eventStream || attempt.answerTranslator != nil {
            nil
        } else {
            Int(upstreamHeaders.first("content-length") ?? "")
        }
        if finished, ok, holdWholeAnswerForModeration(status: status, headers: headers, body: held.bytes, eventStream: held.eventStream) {
            held.bytes = []
            releaseHeld()
            return .awaitingModeration
        }
        response.writeHead(HTTPResponseHead(status: status, headers: headers), contentLength: contentLength)
        var cut = GuardCut.passed
        if !held.bytes.isEmpty {
            let bytes = held.bytes
            held.bytes = []
            if finished {
                // A stream: already through the usage filter, the translator and the guard above;
                // a whole answer: translated and checked above.
                context.bytesToClient += bytes.count
                bytes.withUnsafeBytes { response.writeBody($0) }
            } else if bytes.withUnsafeBytes({ passOn($0) }) {
                cut = .blocked
            }
        }
        releaseHeld()
        if finished { response.finish() }
        return finished ? .passed : cut
    }

    /// The transfer ended after the client got the head. `.awaitingModeration` when the
    /// answer's last text waits for the moderation service (its verdict writes the rest).
    func finishCommitted(_ end: UpstreamEnd) -> GuardCut {
        if let usage = account.endBodyTail(), case .complete = end {
            AccountPhase.record(usage, streamed: false, context: &context, on: loopSnapshot, now: loop.scheduler.now())
        }
        let streamEnd = account.endStream { bytes in
            translate(bytes) { translated in _ = guardPass(translated) { response.writeBody($0) } }
        }
        guardFinish { response.writeBody($0) }
        if let streamEnd {
            let now = loop.scheduler.now()
            AccountPhase.record(streamEnd.usage, streamed: true, context: &context, on: loopSnapshot, now: now)
            if case .complete = end, streamEnd.endedCleanly, let target = context.answeringBackend, let first = context.firstTokenAt,
               let tokens = streamEnd.usage.completion {
                snapshot.recordGeneration(of: target, outputTokens: tokens, took: now.duration(since: first), at: now)
            }
            if case .complete = end, !streamEnd.endedCleanly {
                context.errorCode = "upstream_truncated"
                countError(.truncated)
            }
        }
        if holdStreamEndForModeration(end) { return .awaitingModeration }
        finishCommittedTail(end)
        return .passed
    }

    /// The end of a committed answer after its text went out: the translator's whole body, or
    /// the error event of a failed stream; then the response ends.
    func finishCommittedTail(_ end: UpstreamEnd) {
        guard case .failed(_, let kind) = end else {
            if attempt.answerTranslator?.streamMalformed == true { context.errorCode = "upstream_invalid_response" }
            if let whole = attempt.answerTranslator?.finish() { whole.body.withUnsafeBytes { response.writeBody($0) } }
            response.finish()
            return
        }
        context.errorCode = "upstream_\(kind)"
        if held.eventStream {
            // After the first byte nothing can be retried: end the stream with an error event in
            // the client's shape and no `[DONE]` (or `message_stop`), so the client sees the failure.
            let event = errorShape.streamError(message: lastFailure?.message ?? "the provider failed",
                                                                                 code: "upstream_\(kind)")
            event.withUnsafeBytes { response.writeBody($0) }
            response.finish()
        } else {
            // A body with a declared length cannot be ended honestly short: reset.
            response.resetConnection()
        }
    }

    /// Sends body bytes to the client: through the usage filter on streams, the translator of a
    /// translated attempt and the route's answer guard. Returns true when a guard rule blocked
    /// the answer (its safe ending is written).
    @discardableResult
    func passOn(_ bytes: UnsafeRawBufferPointer) -> Bool {
        context.bytesToClient += bytes.count
        var blocked = false
        if attempt.answerTranslator == nil, responseGuard?.stream == nil {
            // Pass-through keeps its one closure per piece.
            account.pass(bytes) { response.writeBody($0) }
        } else {
            blocked = forward(bytes) { response.writeBody($0) }
        }
        if !blocked, context.tokenReservation != nil { meterStream() }
        return blocked
    }

    /// Upstream bytes through the usage filter (which reads the provider's own format), the
    /// answer's translator when the attempt is translated, then the guard (which reads the
    /// client's format), to `emit`. True when a guard rule blocked the answer.
    private func forward(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var blocked = false
        account.pass(bytes) { filtered in
            translate(filtered) { translated in if !blocked { blocked = guardPass(translated, emit) } }
        }
        return blocked
    }

    /// Bytes in the provider's API to the client's: through the answer's translator, or as they are.
    func translate(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        if attempt.answerTranslator != nil {
            attempt.answerTranslator!.feed(bytes, emit: emit)
        } else {
            emit(bytes)
        }
    }

    /// Stops the current attempt: its transfer (when still running), its timers, its slot, what it held.
    func endAttempt(cancelTransfer: Bool) {
        if cancelTransfer {
            transfer?.cancel()
            transfer = nil
        }
        firstTokenTimer?.cancel()
        firstTokenTimer = nil
        releaseSlot()
        held.bytes = []
        releaseHeld()
        releaseAttemptCharge()
        held.head = nil
        held.facts = nil
        attempt.answerTranslator = nil
    }

    // MARK: Accounting of attempts

    func countStep(_ kind: RetryKind, from: AttemptTarget, to: AttemptTarget) {
        guard let decision = context.decision else { return }
        switch kind {
        case .retry:
            loopSnapshot.retries(route: decision.routeIndex, backend: to.backendIndex).increment()
        case .fallback(let reason):
            loopSnapshot.fallbacks(route: decision.routeIndex, from: from.backendIndex, to: to.backendIndex,
                                   reason: reason.metricLabel).increment()
        }
    }

    func countError(_ kind: UpstreamErrorKind) {
        guard let target = context.answeringBackend else { return }
        loopSnapshot.upstreamErrors(backend: target.backendIndex, kind: kind).increment()
    }

    private func recordBreaker(success: Bool, target: AttemptTarget, now: ProxyInstant) {
        if snapshot.backendStates[target.backendIndex].record(success: success, at: now) {
            loopSnapshot.ejections(backend: target.backendIndex).increment()
            StandardStreams.writeLine(DataPlane.event("backend_ejected", ["backend": target.backendName]))
        }
    }

    /// Whether the whole held response stopped short. A JSON body's usage is read in the same
    /// pass and kept for `commit`.
    private func heldTruncationVerdict() -> TruncationVerdict {
        guard held.head != nil else { return .complete }
        if held.eventStream {
            var parser = SSEParser()
            var detector = TruncationDetector(clientSetMaxTokens: context.clientSetMaxTokens)
            let items = (try? parser.feed(held.bytes)) ?? []
            for case .event(let event) in items { detector.observe(event) }
            return detector.finish(streamEnd: parser.finish())
        }
        let facts = CompletionBodyFacts(body: held.bytes, clientSetMaxTokens: context.clientSetMaxTokens)
        held.facts = facts
        return facts.truncation
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
