/// The decisions of one proxied request, from its last body byte to its last response byte:
/// which phase runs, when an attempt is sent, whether a response is held, committed, retried
/// or failed over, and when the request ends. `ProxySession` feeds it events and performs the
/// actions it returns; it performs no I/O and reads no clock.
///
/// Invariants, each tested in `SessionStateMachineTests`:
/// - exactly one terminal action per request (`answerLocally`, `commit(finished: true)`,
///   `fail`, `finishCommitted`, `abandon`, `cutStream`, or `logOnly`): logging runs once, from there;
/// - nothing is retried or sent elsewhere once the head reached the client;
/// - body bytes are never consumed when they cannot be: `pauseWithoutConsuming` is decided
///   before the bytes are used, because libcurl offers paused bytes again on resume;
/// - after `done`, every event returns `.none`.
///
/// A value owned by the request, used on its event loop only.
package struct SessionStateMachine: Sendable {
    package private(set) var state: SessionState = .receiving
    /// The attempt plan, once the request is routed. When an answer ends the request, the plan
    /// is finished and its records (the path taken) end with how the answering attempt ended.
    package private(set) var plan: UpstreamAttemptStateMachine?
    /// Upstream requests sent: the value of `x-sluice-attempts`.
    package private(set) var attempts = 0
    /// When the delivered attempt's first token arrived (nil until then; reset per attempt).
    package private(set) var firstTokenAt: ProxyInstant?
    /// The status of the answer the client got (0 until one is decided; 499 when the client left first).
    package private(set) var status = 0
    /// The current attempt's response status, once its head arrived.
    private var headStatus = 0

    /// The route's hold settings. The route is known only after the phases ran: the driver sets
    /// them before reporting `phasesFinished(.proceed)`.
    package var settings: SessionSettings
    /// Whether the current attempt has a first-token timer.
    private var attemptGuardsFirstToken = false

    package init(settings: SessionSettings = SessionSettings(holdBytesLimit: 0, bufferStreams: .zero, truncationFallback: false)) {
        self.settings = settings
    }

    /// Whether the current attempt's response head arrived (a break is then "after the first byte").
    package var hasHead: Bool {
        switch state {
        case .holding, .committed: true
        default: false
        }
    }

    /// Whether a response is being held (its next bytes would be buffered).
    package var isHolding: Bool {
        if case .holding = state { return true }
        return false
    }

    /// Whether the head went to the client.
    package var isCommitted: Bool {
        if case .committed = state { return true }
        return false
    }

    // MARK: Request

    /// The request body ended. `tooLarge` carries the limit when it was exceeded.
    package mutating func requestEnded(bodyLimitExceeded limit: Int?) -> SessionAction {
        guard state == .receiving else { return .none }
        if let limit {
            return answer(LocalAnswer(status: 413, code: "request_too_large",
                                      message: "the request body exceeds \(limit) bytes"))
        }
        state = .runningPhases
        return .runPhases
    }

    /// Buffering the request body would pass the process's buffer budget: answer 503 at once,
    /// without reading the rest.
    package mutating func bufferBudgetExhausted() -> SessionAction {
        guard state == .receiving else { return .none }
        return answer(LocalAnswer(status: 503, code: "buffer_budget_exhausted",
                                  message: "the sidecar is buffering as many request bodies as its memory budget allows; retry later",
                                  retryAfterSeconds: 1))
    }

    /// A phase returned `.suspend`: the request waits for it to complete. The client may still
    /// leave meanwhile (`clientGone`); a completion after that is ignored.
    package mutating func phaseSuspended() -> SessionAction {
        guard state == .runningPhases else { return .none }
        state = .phaseSuspended
        return .none
    }

    /// The suspended phase completed: the phases after it run (the driver holds its result).
    package mutating func phaseResumed() -> SessionAction {
        guard state == .phaseSuspended else { return .none }
        state = .runningPhases
        return .resumePhases
    }

    /// The request phases ran: go upstream with `plan`, or answer.
    package mutating func phasesFinished(_ outcome: PhaseOutcome) -> SessionAction {
        guard state == .runningPhases else { return .none }
        switch outcome {
        case .answer(let local):
            return answer(local)
        case .answered(let status):
            self.status = status
            state = .done
            return .logOnly
        case .proceed(let plan):
            self.plan = plan
            state = .admittingAttempt
            return .admitAttempt(plan.current)
        }
    }

    // MARK: Admission of an attempt

    /// The breaker and concurrency limit's answer for the current target.
    package mutating func admitted(_ admission: AttemptAdmission, at now: ProxyInstant, random: UInt64,
                                  budget: inout RetryBudget, isAvailable: (Int) -> Bool) -> SessionAction {
        guard state == .admittingAttempt, let plan else { return .none }
        switch admission {
        case .granted(let guardsFirstToken):
            return send(plan.current, guardsFirstToken: guardsFirstToken)
        case .queued:
            state = .waitingForSlot
            return .none
        case .rejected(let reason):
            return decide(after: .rejected(reason), at: now, cancelTransfer: false, random: random, budget: &budget,
                          isAvailable: isAvailable)
        }
    }

    /// The backend's queue handed this request a slot.
    package mutating func slotGranted(guardsFirstToken: Bool) -> SessionAction {
        guard state == .waitingForSlot, let plan else { return .none }
        return send(plan.current, guardsFirstToken: guardsFirstToken)
    }

    /// The wait in the backend's queue ran out.
    package mutating func queueExpired(at now: ProxyInstant, random: UInt64, budget: inout RetryBudget,
                                       isAvailable: (Int) -> Bool) -> SessionAction {
        guard state == .waitingForSlot else { return .none }
        return decide(after: .rejected(.queueTimeout), at: now, cancelTransfer: false, random: random, budget: &budget,
                      isAvailable: isAvailable)
    }

    /// A higher-priority request displaced this one from the backend's full queue.
    package mutating func queueShed(at now: ProxyInstant, random: UInt64, budget: inout RetryBudget,
                                    isAvailable: (Int) -> Bool) -> SessionAction {
        guard state == .waitingForSlot else { return .none }
        return decide(after: .rejected(.queueFull), at: now, cancelTransfer: false, random: random, budget: &budget,
                      isAvailable: isAvailable)
    }

    /// The backoff (or fallback hop) ended.
    package mutating func retryTimerFired() -> SessionAction {
        guard state == .waitingToRetry, let plan else { return .none }
        state = .admittingAttempt
        return .admitAttempt(plan.current)
    }

    /// The provider refused the attempt's key (401, 403, or 429 for that key) and the backend
    /// has another: send to the same target again at once, before any retry or fallback is
    /// decided. The refused response is dropped; the next attempt counts as one.
    package mutating func resendWithAnotherKey() -> SessionAction {
        guard state == .awaitingHead, let plan else { return .none }
        state = .waitingToRetry
        return .retry(after: .zero, cancelTransfer: true, from: plan.current, to: plan.current, kind: .retry)
    }

    /// The committed answer reaches the client with another status than the provider's (a
    /// translated answer: Anthropic's 529 as 503, an answer that cannot be translated as 502),
    /// so the log and metrics say what the client got.
    package mutating func answerStatusRewritten(to status: Int) {
        switch state {
        case .committed, .done: self.status = status
        default: return
        }
    }

    /// The current attempt's request cannot be sent in the form its backend needs (it cannot be
    /// translated to the backend's API): answer `local` instead; nothing was sent.
    package mutating func attemptRefused(_ local: LocalAnswer) -> SessionAction {
        guard state == .awaitingHead else { return .none }
        return answer(local)
    }

    private mutating func send(_ target: AttemptTarget, guardsFirstToken: Bool) -> SessionAction {
        attempts += 1
        firstTokenAt = nil
        attemptGuardsFirstToken = guardsFirstToken
        state = .awaitingHead
        return .send(target)
    }

    // MARK: Response

    /// The final response head of the current attempt arrived.
    package mutating func responseHead(status: Int, eventStream: Bool, retryAfter: ProxyDuration?, at now: ProxyInstant,
                                       random: UInt64, budget: inout RetryBudget, isAvailable: (Int) -> Bool) -> SessionAction {
        guard state == .awaitingHead else { return .none }
        headStatus = status
        guard (200..<300).contains(status) else {
            return decide(after: .status(status, retryAfter: retryAfter), at: now, cancelTransfer: true, random: random,
                          budget: &budget, isAvailable: isAvailable, deliveredEventStream: eventStream)
        }
        if !eventStream {
            state = .holding(.wholeBody)
            return .none
        }
        if attemptGuardsFirstToken {
            state = .holding(.firstToken)
            return .none
        }
        if let hold = streamPrefixHold(at: now) { return enterHold(hold) }
        return commit(truncated: false, finished: false, eventStream: true)
    }

    /// A piece of the body arrived; `held` bytes are already held. Decide before using the bytes.
    /// `mayHoldMore` is false when the process's buffer budget has no room for these bytes: a
    /// held response is then committed, as at its byte limit.
    package mutating func bodyBytes(count: Int, held: Int, clientWritable: Bool, at now: ProxyInstant,
                                    mayHoldMore: Bool = true) -> BodyDisposition {
        switch state {
        case .committed:
            return clientWritable ? .pass : .pauseWithoutConsuming
        case .holding(let reason):
            var expired = false
            if case .streamPrefix(let until) = reason { expired = now >= until }
            if held + count > settings.holdBytesLimit || expired || !mayHoldMore {
                state = .committed(eventStream: reason != .wholeBody)
                status = headStatus
                return .holdThenCommit
            }
            return .hold
        default:
            return .discard
        }
    }

    /// The current attempt's first token arrived (a stream's first data event, or a JSON body's
    /// first non-whitespace byte). Commits a stream held only for it.
    package mutating func firstToken(at now: ProxyInstant) -> SessionAction {
        guard firstTokenAt == nil else { return .none }
        switch state {
        case .holding, .committed: break
        default: return .none
        }
        firstTokenAt = now
        guard case .holding(.firstToken) = state else { return .none }
        if let hold = streamPrefixHold(at: now) { return enterHold(hold) }
        return commit(truncated: false, finished: false, eventStream: true)
    }

    /// The instant of an `armHoldDeadline` came: a stream still held for its first part is
    /// committed with what it holds, even when the provider has gone quiet. Ignored otherwise
    /// (bytes committed it already, or the attempt it was armed for is gone).
    package mutating func holdDeadlinePassed(at now: ProxyInstant) -> SessionAction {
        guard case .holding(.streamPrefix(let until)) = state, now >= until else { return .none }
        return commit(truncated: false, finished: false, eventStream: true)
    }

    /// The current attempt's first-token timer fired: fail over if nothing reached the client.
    /// Ignored when the current attempt has no such timer (a late one of an earlier attempt).
    package mutating func firstTokenTimerFired(at now: ProxyInstant, random: UInt64, budget: inout RetryBudget,
                                               isAvailable: (Int) -> Bool) -> SessionAction {
        guard attemptGuardsFirstToken, firstTokenAt == nil else { return .none }
        switch state {
        case .awaitingHead, .holding:
            return decide(after: .timeout(.firstToken), at: now, cancelTransfer: true, random: random, budget: &budget,
                          isAvailable: isAvailable)
        default:
            return .none
        }
    }

    /// The transfer ended. `verdict`: for a complete response that was held whole, whether it was truncated.
    package mutating func upstreamFinished(_ end: UpstreamEnd, verdict: TruncationVerdict, at now: ProxyInstant,
                                           random: UInt64, budget: inout RetryBudget, isAvailable: (Int) -> Bool) -> SessionAction {
        switch state {
        case .committed:
            state = .done
            if var machine = plan, !machine.isFinished {
                // Committed before the plan decided (a stream at its head, a hold past its limit):
                // tell it how the answer ended, so that the path taken ends with it.
                let outcome: AttemptOutcome
                switch end {
                case .complete: outcome = .success
                case .failed(let failure, _): outcome = failure
                }
                _ = machine.next(after: outcome, at: now, committed: true, random: random, budget: &budget, isAvailable: isAvailable)
                plan = machine
            }
            return .finishCommitted(end)
        case .holding, .awaitingHead:
            break
        default:
            return .none
        }
        switch end {
        case .failed(let outcome, _):
            return decide(after: outcome, at: now, cancelTransfer: false, random: random, budget: &budget,
                          isAvailable: isAvailable)
        case .complete:
            guard case .holding(let reason) = state else { return .none }
            let eventStream = reason != .wholeBody
            if verdict.isTruncated {
                return decide(after: .truncated, at: now, cancelTransfer: false, random: random, budget: &budget,
                              isAvailable: isAvailable, deliveredEventStream: eventStream, deliverTruncated: true)
            }
            return decide(after: .success, at: now, cancelTransfer: false, random: random, budget: &budget,
                          isAvailable: isAvailable, deliveredEventStream: eventStream, deliverFinished: true)
        }
    }

    /// The client's socket has room again.
    package func clientWritable() -> SessionAction {
        if case .committed = state { return .resumeUpstream }
        return .none
    }

    /// The sidecar cuts the committed stream (a consumer's token limit or quota ran out).
    package mutating func streamCut() -> SessionAction {
        guard case .committed(eventStream: true) = state else { return .none }
        state = .done
        return .cutStream
    }

    /// The client closed the connection (or a server timeout closed it) before the end.
    package mutating func clientGone() -> SessionAction {
        guard state != .done else { return .none }
        state = .done
        if status == 0 { status = 499 }  // nginx's convention: the client closed first
        return .abandon
    }

    // MARK: Deciding

    private mutating func enterHold(_ hold: HoldReason) -> SessionAction {
        state = .holding(hold)
        guard case .streamPrefix(let until) = hold else { return .none }
        return .armHoldDeadline(until)
    }

    private func streamPrefixHold(at now: ProxyInstant) -> HoldReason? {
        guard settings.truncationFallback, settings.bufferStreams > .zero else { return nil }
        return .streamPrefix(until: now.advanced(by: settings.bufferStreams))
    }

    private mutating func answer(_ local: LocalAnswer) -> SessionAction {
        status = local.status
        state = .done
        return .answerLocally(local)
    }

    private mutating func commit(truncated: Bool, finished: Bool, eventStream: Bool) -> SessionAction {
        status = headStatus
        state = finished ? .done : .committed(eventStream: eventStream)
        return .commit(truncated: truncated, finished: finished)
    }

    private mutating func decide(after outcome: AttemptOutcome, at now: ProxyInstant, cancelTransfer: Bool, random: UInt64,
                                 budget: inout RetryBudget, isAvailable: (Int) -> Bool, deliveredEventStream: Bool = false,
                                 deliverTruncated: Bool = false, deliverFinished: Bool = false) -> SessionAction {
        guard var machine = plan else { return .none }
        let from = machine.current
        let action = machine.next(after: outcome, at: now, committed: false, random: random, budget: &budget,
                                  isAvailable: isAvailable)
        plan = machine
        switch action {
        case .deliver:
            return commit(truncated: deliverTruncated, finished: deliverFinished || deliverTruncated,
                          eventStream: deliveredEventStream)
        case .retry(let wait, let target):
            state = .waitingToRetry
            return .retry(after: wait, cancelTransfer: cancelTransfer, from: from, to: target, kind: .retry)
        case .fallback(let target, let reason):
            state = .waitingToRetry
            return .retry(after: .zero, cancelTransfer: cancelTransfer, from: from, to: target, kind: .fallback(reason))
        case .fail(let failure):
            status = failure.status
            state = .done
            return .fail(failure, cancelTransfer: cancelTransfer)
        }
    }
}
