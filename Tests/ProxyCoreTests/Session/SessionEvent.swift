@testable import ProxyCore

/// One event the data plane reports to a `SessionStateMachine`, with the instant it happened
/// where the machine takes one. The session tests' scripts and random sequences are lists of these.
enum SessionEvent {
    case requestEnded(bodyLimitExceeded: Int?)
    case phasesFinished(PhaseOutcome)
    case phaseSuspended
    case phaseResumed
    case admitted(AttemptAdmission, at: ProxyInstant)
    case slotGranted(guardsFirstToken: Bool)
    case queueExpired(at: ProxyInstant)
    case retryTimerFired
    case responseHead(status: Int, eventStream: Bool, retryAfter: ProxyDuration?, at: ProxyInstant)
    case bodyBytes(count: Int, held: Int, clientWritable: Bool, at: ProxyInstant)
    case firstToken(at: ProxyInstant)
    case firstTokenTimerFired(at: ProxyInstant)
    case holdDeadlinePassed(at: ProxyInstant)
    case upstreamFinished(UpstreamEnd, verdict: TruncationVerdict, at: ProxyInstant)
    case clientWritable
    case clientGone

    /// One event of every kind, at `now`: what a finished session must ignore.
    static func everyKind(at now: ProxyInstant, plan: UpstreamAttemptStateMachine) -> [SessionEvent] {
        [
            .requestEnded(bodyLimitExceeded: nil), .requestEnded(bodyLimitExceeded: 10),
            .phasesFinished(.proceed(plan)), .phasesFinished(.answered(status: 200)),
            .phasesFinished(.answer(LocalAnswer(status: 401, code: "unauthorized", message: "no key"))),
            .phaseSuspended, .phaseResumed,
            .admitted(.granted(guardsFirstToken: true), at: now), .admitted(.queued, at: now),
            .admitted(.rejected(.ejected), at: now), .slotGranted(guardsFirstToken: false), .queueExpired(at: now),
            .retryTimerFired, .responseHead(status: 200, eventStream: true, retryAfter: nil, at: now),
            .responseHead(status: 503, eventStream: false, retryAfter: nil, at: now),
            .bodyBytes(count: 10, held: 0, clientWritable: true, at: now),
            .bodyBytes(count: 10, held: 0, clientWritable: false, at: now),
            .firstToken(at: now), .firstTokenTimerFired(at: now), .holdDeadlinePassed(at: now),
            .upstreamFinished(.complete, verdict: .complete, at: now),
            .upstreamFinished(.complete, verdict: .tokenLimit, at: now),
            .upstreamFinished(.failed(.connectFailure, kind: "connect"), verdict: .complete, at: now),
            .clientWritable, .clientGone,
        ]
    }
}
