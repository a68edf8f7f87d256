/// Where one proxied request stands (see `SessionStateMachine` and `docs/PHASES.md`).
package enum SessionState: Hashable, Sendable {
    /// The request body is arriving.
    case receiving
    /// The request phases run (authenticate … cache lookup); one may answer locally.
    case runningPhases
    /// A request phase waits for an answer from outside the process (the admit phase for Redis);
    /// only its completion (`phaseResumed`) or the client leaving moves the request on.
    case phaseSuspended
    /// An attempt is about to be sent: the breaker and the concurrency limit decide.
    case admittingAttempt
    /// Queued at the backend's concurrency limit.
    case waitingForSlot
    /// Waiting out a backoff, a `Retry-After`, or the hop to the next fallback.
    case waitingToRetry
    /// The transfer runs; no final response head yet.
    case awaitingHead
    /// A 2xx head arrived and is held with the body so far (see `HoldReason`).
    case holding(HoldReason)
    /// The head went to the client: bytes pass through.
    case committed(eventStream: Bool)
    /// Answered (or abandoned by the client) and logged. Every later event is ignored.
    case done
}

/// Why a 2xx response is held back from the client.
package enum HoldReason: Hashable, Sendable {
    /// A whole JSON body: read for truncation and usage when it ends.
    case wholeBody
    /// A stream's first part, until `until` or the byte limit, so truncation can still fall back.
    case streamPrefix(until: ProxyInstant)
    /// A stream whose first token has not arrived: a first-token timeout can still fail over.
    case firstToken
}
