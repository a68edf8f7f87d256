/// What the data plane does next for a request, as `SessionStateMachine` decides.
package enum SessionAction: Hashable, Sendable {
    /// Nothing to do.
    case none
    /// Run the request phases (authenticate … cache lookup), then report with `phasesFinished`.
    case runPhases
    /// The suspended phase completed: run the phases after it, then report with `phasesFinished`.
    case resumePhases
    /// Answer locally with this error (nothing was sent to the client yet), then log.
    case answerLocally(LocalAnswer)
    /// Check the breaker and the concurrency limit of `target`, then report with `admitted`.
    case admitAttempt(AttemptTarget)
    /// Send the attempt to `target` (its slot, if limited, is held); arm its first-token timer if it has one.
    case send(AttemptTarget)
    /// Stop the current attempt: cancel its transfer when `cancelTransfer` (it is still running),
    /// give back its slot, drop what was held. Then wait `wait` and report `retryTimerFired`.
    case retry(after: ProxyDuration, cancelTransfer: Bool, from: AttemptTarget, to: AttemptTarget,
               kind: RetryKind)
    /// Send the held head (and body, when `finished`) to the client; from here on bytes pass.
    /// When `finished` the response ends here: finish it, give back the slot, log.
    case commit(truncated: Bool, finished: Bool)
    /// The attempt plan gave up: stop the current attempt (cancel when `cancelTransfer`),
    /// answer with `failure`'s status, log.
    case fail(AttemptFailure, cancelTransfer: Bool)
    /// The response ended after the head went out: end it (cleanly on success; with an SSE
    /// error event or a reset on failure), give back the slot, log.
    case finishCommitted(UpstreamEnd)
    /// The client left: cancel the transfer, leave the queue, give back the slot, log 499.
    case abandon
    /// A phase wrote the whole answer itself (a cached answer, a guard reply): log.
    case logOnly
    /// The client can take more: resume the paused transfer.
    case resumeUpstream
    /// A stream's first part is held until this instant: report `holdDeadlinePassed` then,
    /// even if no byte arrives meanwhile (bytes arriving later commit it as well).
    case armHoldDeadline(ProxyInstant)
    /// The sidecar ends the committed stream itself (a consumer's limit ran out while it
    /// flowed): cancel the transfer, write the stream's clean ending, give back the slot, log.
    case cutStream
}

/// What the request phases decided.
package enum PhaseOutcome: Sendable {
    /// Go upstream with this attempt plan.
    case proceed(UpstreamAttemptStateMachine)
    /// Answer locally with an error.
    case answer(LocalAnswer)
    /// A phase already wrote the whole response with this status.
    case answered(status: Int)
}

/// The breaker's and the concurrency limit's answer for an attempt.
package enum AttemptAdmission: Hashable, Sendable {
    /// Send now; `guardsFirstToken` when the attempt has a first-token timeout.
    case granted(guardsFirstToken: Bool)
    /// Wait in the backend's queue for `slotGranted` or `queueExpired`.
    case queued
    /// Not sent at all.
    case rejected(LocalRejection)
}

/// The route's settings the machine needs, resolved once per snapshot.
package struct SessionSettings: Hashable, Sendable {
    /// The most bytes held before a held response is committed anyway.
    package var holdBytesLimit: Int
    /// How long a stream's first part is held for truncation fallback (zero: not held).
    package var bufferStreams: ProxyDuration
    /// Whether the route falls back on truncation at all.
    package var truncationFallback: Bool

    package init(holdBytesLimit: Int, bufferStreams: ProxyDuration, truncationFallback: Bool) {
        self.holdBytesLimit = holdBytesLimit
        self.bufferStreams = bufferStreams
        self.truncationFallback = truncationFallback
    }
}

/// Whether a new attempt repeats the same backend or moves down the fallback chain.
package enum RetryKind: Hashable, Sendable {
    case retry
    case fallback(FallbackReason)
}

/// A local error answer: HTTP status, stable `code`, message, and an optional `Retry-After`.
package struct LocalAnswer: Hashable, Sendable {
    package var status: Int
    package var code: String
    package var message: String
    package var retryAfterSeconds: Int?

    package init(status: Int, code: String, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// How an upstream transfer ended, as the session needs it.
package enum UpstreamEnd: Hashable, Sendable {
    /// The whole response arrived.
    case complete
    /// It failed with `outcome` (for the plan) and `kind` (a stable name, `upstream_errors_total{kind}`).
    case failed(AttemptOutcome, kind: String)
}

/// What to do with a piece of the response body the provider just sent.
package enum BodyDisposition: Hashable, Sendable {
    /// Write it to the client.
    case pass
    /// Keep it with the held response.
    case hold
    /// Keep it, then commit the held response (head, body so far) to the client.
    case holdThenCommit
    /// Do not consume it: pause the transfer; libcurl offers the same bytes again on resume.
    case pauseWithoutConsuming
    /// Drop it (an abandoned attempt's leftovers).
    case discard
}

/// What one request phase decided (`docs/PHASES.md`).
package enum PhaseResult: Sendable {
    /// Go on with the next phase.
    case next
    /// Answer locally with this error; the later phases do not run.
    case answer(LocalAnswer)
    /// The phase wrote the whole response itself, with this status; the later phases do not run.
    case answered(status: Int)
    /// The phase completes asynchronously (it waits for Redis): report `phaseSuspended`, then
    /// `phaseResumed` when it completes, with its result kept by the driver.
    case suspend
}
