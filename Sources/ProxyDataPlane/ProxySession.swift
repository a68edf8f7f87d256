import ProxyCore
import ProxyHTTPServer
import ProxyUpstream

/// What a suspended phase left for `ProxySession.resumePhases` when it completed.
enum PhaseCompletion {
    /// Admit's strict Redis admission answered (or failed).
    case admission(StrictAdmission.Outcome)
    /// The guard's moderation service answered (or failed) for `rule` of guard `guard`.
    case moderation(GuardModerationVerdict, rule: Int, guard: Int, took: ProxyDuration?)
    /// The cache lookup's read of the Redis tier answered (or failed) for `key`.
    case cacheRead(RedisCacheRead.Outcome, key: CacheKey)
    /// The semantic cache tier's embeddings call answered (or failed) after `took`.
    case embedding(EmbeddingOutcome, took: ProxyDuration)
    /// The semantic tier's read of the Redis tier answered (or failed).
    case sharedSemanticRead(SemanticRedisRead.Outcome)
}

/// One proxied request. The order of its phases and every decision about its attempts live in
/// `SessionStateMachine` (pure, in `ProxyCore`); this class feeds it the events of the client,
/// the upstream transfer and the timers, and performs the actions it returns. What the phases
/// find out goes into one `RequestContext`; logging runs once, from `end`.
///
/// Loop-confined. The snapshot (as this loop's `LoopSnapshot`) is captured when the request
/// starts and kept to the end, so a reload never changes a request midway.
final class ProxySession: HTTPExchange, AdmissionWaiter {
    let head: HTTPRequestHead
    let response: any ClientResponse
    unowned(unsafe) let loop: LoopContext  // per-loop, outlives every session on the loop
    let loopSnapshot: LoopSnapshot
    var context: RequestContext
    var machine = SessionStateMachine()

    private(set) var body: [UInt8] = []
    private var bodyLimitExceeded = false
    /// Bytes of the process's buffer budget this request's body holds.
    private var bodyReserved = 0

    // The current attempt (`ProxySession+Upstream.swift`).
    var transfer: (any UpstreamHandle)?
    var slot = AttemptSlot.none
    /// The retry, fallback-hop, queue or hold-deadline timer, whichever the state needs.
    var waitTimer: (any SessionTimer)?
    var firstTokenTimer: (any SessionTimer)?
    /// The 2xx answer held back from the client (see `HoldReason`).
    var held = HeldAnswer()
    /// Why the last attempt failed, for the message of a local answer.
    var lastFailure: UpstreamFailure?
    var account = AccountPhase()
    /// The consumer limit that ran out while the stream flowed, when the stream is to be cut
    /// at its next event boundary (`midStreamExhaustion: "cut"`).
    var cutPending: TokenLimiter.Meter?
    /// The route's guard, when it has response rules (`ProxySession+Guard.swift`).
    var responseGuard: ResponseGuard?
    var cacheStore = CacheStorePhase()
    /// What the current attempt decided and found: its translation, key, first token, budget share.
    var attempt = CurrentAttempt()
    /// The keys this request already used on the attempt's backend (a bit each), so a refused
    /// key is not tried twice.
    var triedKeys: (backend: Int, mask: UInt64) = (-1, 0)

    init(head: HTTPRequestHead, response: any ClientResponse, loop: LoopContext) {
        self.head = head
        self.response = response
        self.loop = loop
        loopSnapshot = loop.current
        let trace: TraceContext
        let fromClient: Bool
        if let value = head.headers.first("traceparent"), let incoming = TraceContext(traceparent: value) {
            trace = incoming
            fromClient = true
        } else {
            trace = TraceContext(random: loop.random(), loop.random(), loop.random())
            fromClient = false
        }
        context = RequestContext(requestID: head.headers.first("x-request-id") ?? loop.makeRequestID(), trace: trace,
                                 traceFromClient: fromClient, span: trace.child(span: loop.random()),
                                 started: loop.scheduler.now())
        context.clientAPI = ChatAPI(clientPath: head.path)
    }

    var snapshot: ProxySnapshot { loopSnapshot.snapshot }

    // MARK: Phase 1: parse (the body arrives)

    func requestBodyPart(_ bytes: UnsafeRawBufferPointer) {
        guard !bodyLimitExceeded, machine.state == .receiving else { return }
        let needed = body.count + bytes.count
        if needed > snapshot.maxRequestBodyBytes {
            bodyLimitExceeded = true
            releaseBody()
            return
        }
        if needed > bodyReserved {
            // With a Content-Length, the whole body at once: one reservation, one allocation.
            var wanted = needed
            if case .contentLength(let length) = head.framing { wanted = max(needed, min(length, snapshot.maxRequestBodyBytes)) }
            guard loop.dataPlane.bufferBudget.reserve(wanted - bodyReserved) == .granted else {
                releaseBody()
                return perform(machine.bufferBudgetExhausted())
            }
            bodyReserved = wanted
            body.reserveCapacity(wanted)
        }
        body.append(contentsOf: bytes)
    }

    /// Forwards `rewritten` instead of the client's body (a guard redacted it); the model's
    /// place in it is found again for the model rewrite.
    func replaceBody(_ rewritten: [UInt8]) {
        if rewritten.count > bodyReserved {
            loop.dataPlane.bufferBudget.charge(rewritten.count - bodyReserved)
            bodyReserved = rewritten.count
        }
        body = rewritten
        if context.modelRange != nil, case .success(let ranges) = JSONFieldScanner.scanTopLevel(body, keys: [Array("model".utf8)]) {
            context.modelRange = ranges[0]
        }
    }

    /// Frees the body and gives its bytes back to the buffer budget.
    private func releaseBody() {
        loop.dataPlane.bufferBudget.release(bodyReserved)
        bodyReserved = 0
        body = []
    }

    func requestEnded(trailers: HTTPHeaders) {
        perform(machine.requestEnded(bodyLimitExceeded: bodyLimitExceeded ? snapshot.maxRequestBodyBytes : nil))
    }

    // MARK: Phases 2–7

    /// The request phases in their fixed order (`docs/PHASES.md`): authenticate, inspect, admit
    /// (it needs inspect's model), route, guard request (it needs the route's guard), cache
    /// lookup (on the body the guard let through). Admit and guard request may suspend (strict
    /// Redis limits, a moderation call): the phases after them run from `resumePhases`.
    private func runPhases() {
        let now = loop.scheduler.now()
        let consumers = snapshot.consumers
        var result = AuthenticatePhase.run(head: head, consumers: consumers, context: &context)
        if case .next = result, ModelsPhase.applies(to: head) {
            result = ModelsPhase.run(head: head, catalog: snapshot.models, consumers: consumers, context: context) {
                respondLocally(status: $0, retryAfterSeconds: nil, body: $1)
            }
        }
        if case .next = result { result = InspectPhase.run(body: body, context: &context) }
        if case .next = result {
            // The session itself waits (no closure per request: only strict Redis limits make one).
            result = AdmitPhase.run(consumers: consumers, bodyBytes: body.count, context: &context, now: meterInstant(now),
                                    on: loopSnapshot, loop: loop, waiter: self)
        }
        if case .suspend = result { return perform(machine.phaseSuspended()) }
        runPhases(after: result, now: now)
    }

    private func meterInstant(_ now: ProxyInstant) -> MeterInstant {
        MeterInstant(monotonic: now, wallNanoseconds: loop.scheduler.wallNanoseconds())
    }

    /// A suspended phase's completion, kept from its arrival to `resumePhases`.
    var suspendedPhase: PhaseCompletion?

    func admissionCompleted(_ outcome: StrictAdmission.Outcome) {
        suspendedPhase = .admission(outcome)
        perform(machine.phaseResumed())
    }

    /// A suspended phase (admit with strict Redis limits, the guard's moderation call, the
    /// cache lookup's Redis read or its embeddings call) completed: its result, then the phases after it.
    private func resumePhases() {
        guard let completion = suspendedPhase else { return }
        suspendedPhase = nil
        let now = loop.scheduler.now()
        switch completion {
        case .admission(let outcome):
            runPhases(after: AdmitPhase.finish(outcome, consumers: snapshot.consumers, bodyBytes: body.count, context: &context,
                                               now: meterInstant(now), on: loopSnapshot, loop: loop), now: now)
        case .moderation(let verdict, let rule, let guardIndex, let took):
            moderationFinished(verdict, rule: rule, guard: guardIndex, took: took)
        case .cacheRead(let outcome, let key):
            let result = cacheReadFinished(outcome, key: key)
            if case .suspend = result { return perform(machine.phaseSuspended()) }  // the semantic tier's embeddings call
            answerOrGoUpstream(result)
        case .embedding(let outcome, let took):
            let result = embeddingFinished(outcome, took: took)
            if case .suspend = result { return perform(machine.phaseSuspended()) }  // the Redis tier's vectors
            answerOrGoUpstream(result)
        case .sharedSemanticRead(let outcome):
            answerOrGoUpstream(sharedSemanticReadFinished(outcome))
        }
    }

    /// The phases after admit (route), given admit's `result`; then reports to the machine.
    private func runPhases(after admitted: PhaseResult, now: ProxyInstant) {
        var result = admitted
        if case .next = result {
            result = RoutePhase.run(head: head, body: body, on: loopSnapshot, context: &context, now: now,
                                    wallNanoseconds: loop.scheduler.wallNanoseconds, random: loop.random)
        }
        if case .next = result, context.tokenReservation != nil {
            result = SpendReservation.run(context: &context, on: loopSnapshot, now: meterInstant(now))
        }
        if case .next = result, let route = context.decision?.routeIndex {
            switch runGuardRequest(routeIndex: route) {
            case .finished(let guarded): result = guarded
            case .awaitingModeration: return perform(machine.phaseSuspended())  // resumed when the service answered
            }
        }
        finishPhases(result)
    }

    /// The phases after guard request (cache lookup, on what the guard let through; it may
    /// suspend while Redis is read); then answers, or goes upstream.
    func finishPhases(_ guarded: PhaseResult) {
        var result = guarded
        if case .next = result { result = lookUpCache(now: loop.scheduler.now()) }
        if case .suspend = result { return perform(machine.phaseSuspended()) }  // resumed when Redis or the embeddings call answered
        answerOrGoUpstream(result)
    }

    /// The phases' `result`: an answer, or the attempt plan built and the request sent upstream.
    private func answerOrGoUpstream(_ result: PhaseResult) {
        let now = loop.scheduler.now()
        switch result {
        case .answer(let local):
            perform(machine.phasesFinished(.answer(local)))
        case .answered(let status):
            perform(machine.phasesFinished(.answered(status: status)))
        case .suspend:
            preconditionFailure("a suspending phase is resumed before the phases after it run")
        case .next:
            guard let decision = context.decision else { return }
            var policy = snapshot.attemptPolicies[decision.routeIndex]
            if let auto = context.autoRoute { policy = policy.replacingChain(auto.chain) }
            let plan = UpstreamAttemptStateMachine(policy: policy, primary: AttemptTarget(decision),
                                                   clientModel: context.clientModel, start: context.started)
            loopSnapshot.retryBudgets[decision.routeIndex].recordRequest(at: now)
            machine.settings = snapshot.sessionSettings[decision.routeIndex]
            perform(machine.phasesFinished(.proceed(plan)))
        }
    }

    // MARK: Performing the machine's actions

    /// Carries out one action of the state machine. Called from the client's events, libcurl's
    /// callbacks and timers: never starts a transfer inline from inside libcurl (retries and
    /// fallbacks go through a timer).
    func perform(_ action: SessionAction) {
        switch action {
        case .none:
            return
        case .runPhases:
            runPhases()
        case .resumePhases:
            resumePhases()
        case .answerLocally(let local):
            answer(local)
            end()
        case .admitAttempt(let target):
            admit(target)
        case .send(let target):
            send(to: target)
        case .retry(let wait, let cancelTransfer, let from, let to, let kind):
            endAttempt(cancelTransfer: cancelTransfer)
            countStep(kind, from: from, to: to)
            // Scheduled, never started inline: this may run inside a libcurl callback.
            armWaitTimer(at: loop.scheduler.now().advanced(by: wait)) { [self] in perform(machine.retryTimerFired()) }
        case .commit(let truncated, let finished):
            let cut = commit(truncated: truncated, finished: finished)
            if cut == .awaitingModeration { return }  // the verdict ends the request
            if finished { end() } else if cut == .blocked { endGuardedStream() }
        case .fail(let failure, let cancelTransfer):
            endAttempt(cancelTransfer: cancelTransfer)
            answer(Self.localAnswer(for: failure, lastFailure: lastFailure))
            end()
        case .finishCommitted(let end):
            if finishCommitted(end) == .awaitingModeration { return }  // the verdict ends the request
            self.end()
        case .abandon:
            if transfer != nil { countError(.cancelled) }
            endAttempt(cancelTransfer: true)
            context.errorCode = context.errorCode ?? "client_closed"
            end()
        case .logOnly:
            end()
        case .resumeUpstream:
            transfer?.resume()
        case .armHoldDeadline(let until):
            armWaitTimer(at: until) { [self] in perform(machine.holdDeadlinePassed(at: loop.scheduler.now())) }
        case .cutStream:
            endAttempt(cancelTransfer: true)
            cutStream()
            end()
        }
    }

    /// Arms the one timer the state needs (a retry, a queue wait or a hold deadline), replacing
    /// any earlier one: the states that need them never overlap.
    func armWaitTimer(at deadline: ProxyInstant, _ work: @escaping () -> Void) {
        waitTimer?.cancel()
        waitTimer = loop.scheduler.schedule(at: deadline) { [self] in
            waitTimer = nil
            work()
        }
    }

    /// The one place a request ends: timers off, slot back, metrics and access log, once.
    func end() {
        waitTimer?.cancel()
        waitTimer = nil
        responseGuard?.call?.cancel()
        responseGuard = nil
        firstTokenTimer?.cancel()
        firstTokenTimer = nil
        releaseSlot()
        releaseHeld()
        releaseAttemptCharge()
        releaseBody()
        AccountPhase.settle(context: &context, consumers: snapshot.consumers, status: machine.status,
                            at: meterInstant(loop.scheduler.now()), on: loopSnapshot, loop: loop)
        cacheStore.finish(status: machine.status, eventStream: held.eventStream, context: context, snapshot: snapshot,
                          now: loop.scheduler.now(), wallNanoseconds: { loop.scheduler.wallNanoseconds() }, on: loopSnapshot,
                          redis: loop.redis)
        LoggingPhase.run(head: head, context: context, machine: machine, on: loopSnapshot, loop: loop)
    }

    // MARK: Local answers

    /// Answers with an error in the client's shape (nothing was sent to the client yet).
    private func answer(_ local: LocalAnswer) {
        context.errorCode = local.code
        guard !response.headSent else { return }
        respondLocally(status: local.status, retryAfterSeconds: local.retryAfterSeconds,
                       body: errorShape.body(status: local.status, code: local.code, message: local.message))
    }

    /// A whole JSON answer the sidecar gives itself, with its own headers (the `x-ratelimit-*`
    /// ones among them).
    private func respondLocally(status: Int, retryAfterSeconds: Int?, body: [UInt8]) {
        var headers = HTTPHeaders(reservingCapacity: 15)
        headers.append(name: "content-type", value: "application/json")
        if let seconds = retryAfterSeconds { headers.append(name: "retry-after", value: String(seconds)) }
        headers.append(name: "x-request-id", value: context.requestID)
        appendSidecarHeaders(to: &headers)
        response.writeHead(HTTPResponseHead(status: status, headers: headers), contentLength: body.count)
        body.withUnsafeBytes { response.writeBody($0) }
        response.finish()
    }

    /// The shape of the errors this client gets (`ClientErrorShape(requestPath:headers:)`).
    var errorShape: ClientErrorShape {
        ClientErrorShape(requestPath: head.path, headers: head.headers)
    }

    /// The answer when the attempt plan gives up; `lastFailure` is the last attempt's transfer failure.
    static func localAnswer(for failure: AttemptFailure, lastFailure: UpstreamFailure?) -> LocalAnswer {
        switch failure {
        case .deadlineExceeded:
            return LocalAnswer(status: failure.status, code: "deadline_exceeded",
                               message: "the request's deadline passed before a provider answered")
        case .overloaded(let wait):
            return LocalAnswer(status: failure.status, code: "backend_overloaded",
                               message: "every backend for this request is at its concurrency limit; retry later",
                               retryAfterSeconds: max(1, Int(wait.milliseconds / 1000)))
        case .upstream(.timeout(.firstToken)), .committed(.timeout(.firstToken)):
            return LocalAnswer(status: failure.status, code: "upstream_\(UpstreamErrorKind.firstTokenTimeout.label)",
                               message: "the provider sent no token in time")
        case .upstream, .committed:
            return LocalAnswer(status: failure.status, code: lastFailure.map { "upstream_\(UpstreamErrorKind($0).label)" } ?? "upstream_error",
                               message: lastFailure?.message ?? "the provider failed")
        }
    }

    /// The sidecar's own response headers: the consumer's request limit, the route's decision.
    func appendSidecarHeaders(to headers: inout HTTPHeaders) {
        if let limit = context.requestLimit {
            headers.append(name: "x-ratelimit-limit-requests", value: String(limit.limit))
            headers.append(name: "x-ratelimit-remaining-requests", value: String(limit.remaining))
            headers.append(name: "x-ratelimit-reset-requests", value: limit.resetText)
        }
        if let limit = context.tokenLimit {
            headers.append(name: "x-ratelimit-limit-tokens", value: String(limit.limit))
            headers.append(name: "x-ratelimit-remaining-tokens", value: String(limit.remaining))
            headers.append(name: "x-ratelimit-reset-tokens", value: limit.resetText)
        }
        guard let decision = context.decision else { return }
        headers.append(name: "x-sluice-route", value: decision.routeName)
        headers.append(name: "x-sluice-backend", value: context.answeringBackend?.backendName ?? decision.backendName)
        if let model = context.upstreamModel { headers.appendReflected(name: "x-sluice-model", value: model) }
        if let auto = context.autoRoute { headers.append(name: "x-sluice-model-reason", value: auto.summary) }
        headers.append(name: "x-sluice-cache", value: context.cache.result.rawValue)
        headers.append(name: "x-sluice-attempts", value: String(machine.attempts))
    }

    // MARK: Client events

    func responseWritable() {
        perform(machine.clientWritable())
    }

    func connectionClosed() {
        if responseGuard?.ending != nil { return answerModerationAbandoned() }
        perform(machine.clientGone())
    }
}
