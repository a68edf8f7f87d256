/// The upstream attempts of one request: the primary pick, its retries, then the fallback
/// chain, each with its retries, within the route's deadline and attempt limit.
///
/// The data plane sends the first attempt to `current` (the primary), reports each outcome
/// to `next(after:…)`, and performs the returned action: deliver the response, wait and
/// retry, fall back, or fail. Rules (issue 5, `docs/config.md` "Retries and fallbacks"):
/// - Nothing is retried or sent elsewhere once a byte reached the client (`committed`).
/// - A status that is not a trigger is delivered as it is; so is a trigger status when no
///   retry or fallback is left (the provider's own answer beats a made-up one).
/// - A trigger is retried on the same target while `attemptsPerTarget`, the retry budget and
///   the target's availability allow, after full-jitter backoff, or the provider's requested
///   wait when that is longer (`honorRetryAfter`). A wait that would end past the deadline is
///   not waited: the plan falls back at once. Truncation is never retried on the same target.
/// - Fallback entries whose backend is unavailable (ejected) are skipped and recorded.
/// - Never more than `maxAttempts` upstream requests, never past the deadline.
///
/// A value owned by the request, on its event loop; time and randomness come from the caller.
package struct UpstreamAttemptStateMachine: Sendable {
    /// The route's settings.
    package let policy: AttemptPolicy
    /// The client's `model`, for mapping fallback entries without their own model.
    package let clientModel: String?
    /// The instant the whole request must be answered by.
    package let deadline: ProxyInstant
    /// Where the current (or next) attempt goes.
    package private(set) var current: AttemptTarget
    /// The path taken so far, one record per outcome (and per skipped fallback entry).
    package private(set) var records: [AttemptRecord] = []
    /// Upstream requests sent so far: the value of `x-sluice-attempts`.
    package private(set) var sentAttempts = 0
    /// Whether the plan has delivered or failed; later outcomes are a caller bug.
    package private(set) var isFinished = false

    // Outcomes reported for `current`, the first try included.
    private var triesOnCurrent = 0
    // The next fallback chain entry to consider.
    private var nextCandidate = 0

    /// The retry wait the plan falls back on when a provider gives no `Retry-After` for a
    /// locally rejected request: 1s.
    package static let overloadedRetryAfter = ProxyDuration.seconds(1)

    /// A plan whose first attempt goes to `primary` (the route's pick), starting at `start`.
    package init(policy: AttemptPolicy, primary: AttemptTarget, clientModel: String?, start: ProxyInstant) {
        self.policy = policy
        self.current = primary
        self.clientModel = clientModel
        self.deadline = start.advanced(by: policy.deadline)
    }

    /// The time left before the deadline: cap each attempt's timeouts with it.
    package func remaining(at now: ProxyInstant) -> ProxyDuration {
        deadline.duration(since: now)
    }

    /// The path for the access log: records joined with `; `.
    package var pathDescription: String {
        records.map(\.description).joined(separator: "; ")
    }

    /// Decides what follows `outcome` of the attempt to `current`, reported at `now`.
    ///
    /// `committed`: whether any byte of the response reached the client. `random`: a
    /// uniformly random number for the backoff jitter. `budget`: the route's retry budget on
    /// this loop; a retry is recorded in it when chosen (the caller records the request once,
    /// at its start). `isAvailable(backendIndex)`: false for ejected backends.
    /// Called on the request's event loop; pure and non-blocking.
    package mutating func next(after outcome: AttemptOutcome, at now: ProxyInstant, committed: Bool, random: UInt64,
                               budget: inout RetryBudget, isAvailable: (Int) -> Bool) -> UpstreamAttemptAction {
        precondition(!isFinished, "an outcome was reported after the attempt plan finished")
        if outcome.wasSent { sentAttempts += 1 }
        triesOnCurrent += 1

        if committed {
            switch outcome {
            case .success, .status, .truncated: return finish(outcome, .deliver)
            default: return finish(outcome, .fail(.committed(outcome)))
            }
        }

        let retryable: Bool
        var requestedWait: ProxyDuration? = nil
        switch outcome {
        case .success:
            return finish(outcome, .deliver)
        case .status(let status, let retryAfter):
            guard policy.triggers.matches(status: status) else { return finish(outcome, .deliver) }
            retryable = true
            if policy.honorRetryAfter { requestedWait = retryAfter }
        case .connectFailure, .brokenAfterFirstByte:
            guard policy.triggers.connectFailure else { return finish(outcome, .fail(.upstream(outcome))) }
            retryable = true
        case .timeout:
            guard policy.triggers.timeout else { return finish(outcome, .fail(.upstream(outcome))) }
            retryable = true
        case .truncated:
            guard policy.triggers.truncation else { return finish(outcome, .deliver) }
            retryable = false
        case .rejected:
            retryable = false
        }

        if now >= deadline { return exhausted(outcome, deadlinePassed: true) }
        var reason = FallbackReason.triggered(outcome)
        if retryable, triesOnCurrent < policy.attemptsPerTarget, sentAttempts < policy.maxAttempts,
           isAvailable(current.backendIndex) {
            let backoff = policy.backoff.delay(retry: triesOnCurrent - 1, random: random)
            let wait = max(backoff, requestedWait ?? .zero)
            let remaining = remaining(at: now)
            if wait >= remaining {
                reason = .waitBeyondDeadline(wait: wait, remaining: remaining)
            } else if !budget.canRetry(at: now) {
                reason = .retryBudgetExhausted
            } else {
                budget.recordRetry(at: now)
                records.append(AttemptRecord(target: current, outcome: outcome, step: .retried(after: wait)))
                return .retry(after: wait, target: current)
            }
        }
        guard sentAttempts < policy.maxAttempts else { return exhausted(outcome, deadlinePassed: false) }
        guard let candidate = nextAvailableCandidate(isAvailable: isAvailable) else {
            return exhausted(outcome, deadlinePassed: false)
        }
        records.append(AttemptRecord(target: current, outcome: outcome, step: .fellBack(reason)))
        current = candidate
        triesOnCurrent = 0
        return .fallback(to: candidate, reason: reason)
    }

    /// The next fallback entry whose backend is available; skipped ones are recorded as
    /// rejected (`ejected`).
    private mutating func nextAvailableCandidate(isAvailable: (Int) -> Bool) -> AttemptTarget? {
        while nextCandidate < policy.chain.count {
            let target = policy.chain[nextCandidate].target(clientModel: clientModel)
            nextCandidate += 1
            if isAvailable(target.backendIndex) { return target }
            records.append(AttemptRecord(target: target, outcome: .rejected(.ejected), step: .fellBack(.triggered(.rejected(.ejected)))))
        }
        return nil
    }

    /// Nothing left to try: deliver a response if there is one, else fail.
    private mutating func exhausted(_ outcome: AttemptOutcome, deadlinePassed: Bool) -> UpstreamAttemptAction {
        switch outcome {
        case .status, .truncated, .success:
            return finish(outcome, .deliver)
        case .rejected:
            return finish(outcome, .fail(deadlinePassed ? .deadlineExceeded : .overloaded(retryAfter: Self.overloadedRetryAfter)))
        case .connectFailure, .timeout, .brokenAfterFirstByte:
            return finish(outcome, .fail(deadlinePassed ? .deadlineExceeded : .upstream(outcome)))
        }
    }

    private mutating func finish(_ outcome: AttemptOutcome, _ action: UpstreamAttemptAction) -> UpstreamAttemptAction {
        let step: AttemptStep
        switch action {
        case .fail(let failure): step = .failed(failure)
        default: step = .delivered
        }
        records.append(AttemptRecord(target: current, outcome: outcome, step: step))
        isFinished = true
        return action
    }
}
