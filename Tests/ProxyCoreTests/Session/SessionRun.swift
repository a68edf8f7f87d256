import Testing
@testable import ProxyCore

/// A `SessionStateMachine` driven as the data plane drives it, with what the data plane keeps
/// around it: the route's retry budget, the backends the breaker ejected, the bytes held.
/// Instants are milliseconds after the attempt-plan fixtures' start (a manual clock).
///
/// After every event it checks the invariants the machine documents and lists the broken ones
/// in `violations`: at most one terminal action, and the state `done` exactly from it; nothing
/// but `.none` (or dropped bytes) after `done`; at most one commit, and nothing sent, retried or
/// answered locally after it; `attempts` equal to the sends and within the plan's `maxAttempts`;
/// bytes passed only to a writable client and paused only for a full one; at the terminal
/// action, a `status` equal to the answer's and, when an answer (not the client leaving) ended
/// a request that went upstream, a finished attempt plan with every send recorded.
struct SessionRun {
    typealias Fixtures = ResilienceTests.UpstreamAttemptStateMachineTests

    private(set) var machine: SessionStateMachine
    /// The route's retry budget on this loop.
    var budget: RetryBudget
    /// Backends the breaker has ejected (`isAvailable` is false for them).
    var ejected: Set<Int> = []
    /// The random number passed for the backoff's jitter.
    var random: UInt64 = 0
    /// Every event's output, in order.
    private(set) var outputs: [SessionOutput] = []
    /// The broken invariants, one sentence each.
    private(set) var violations: [String] = []
    /// The bytes of the current attempt's response held so far (the `held` of `bodyBytes`).
    private(set) var heldBytes = 0

    private var plan: UpstreamAttemptStateMachine?
    private var sends = 0
    private var answeredStatus: Int?
    private var headStatus: Int?
    private var committedStatus: Int?

    init(settings: SessionSettings = SessionRun.settings(), budget: RetryBudget = RetryBudget(percent: 100)) {
        machine = SessionStateMachine(settings: settings)
        self.budget = budget
    }

    /// Route settings for a test: a small hold limit, no stream prefix unless asked for.
    static func settings(holdBytesLimit: Int = 1_000, bufferStreams: ProxyDuration = .zero,
                         truncationFallback: Bool = false) -> SessionSettings {
        SessionSettings(holdBytesLimit: holdBytesLimit, bufferStreams: bufferStreams, truncationFallback: truncationFallback)
    }

    static func at(_ milliseconds: UInt64) -> ProxyInstant { Fixtures.at(milliseconds) }

    /// The terminal actions returned so far.
    private(set) var terminalActions: [SessionOutput] = []

    // MARK: Events, as the machine's methods

    mutating func requestEnded(bodyLimitExceeded limit: Int? = nil) -> SessionAction {
        action(.requestEnded(bodyLimitExceeded: limit))
    }

    mutating func phasesFinished(_ outcome: PhaseOutcome) -> SessionAction { action(.phasesFinished(outcome)) }

    mutating func phaseSuspended() -> SessionAction { action(.phaseSuspended) }

    mutating func phaseResumed() -> SessionAction { action(.phaseResumed) }

    mutating func admitted(_ admission: AttemptAdmission, at milliseconds: UInt64 = 0) -> SessionAction {
        action(.admitted(admission, at: Self.at(milliseconds)))
    }

    mutating func slotGranted(guardsFirstToken: Bool = false) -> SessionAction {
        action(.slotGranted(guardsFirstToken: guardsFirstToken))
    }

    mutating func queueExpired(at milliseconds: UInt64) -> SessionAction { action(.queueExpired(at: Self.at(milliseconds))) }

    mutating func retryTimerFired() -> SessionAction { action(.retryTimerFired) }

    mutating func head(_ status: Int, stream: Bool, retryAfter: ProxyDuration? = nil, at milliseconds: UInt64) -> SessionAction {
        action(.responseHead(status: status, eventStream: stream, retryAfter: retryAfter, at: Self.at(milliseconds)))
    }

    /// `count` body bytes, with the bytes held so far as `held`.
    mutating func bytes(_ count: Int, writable: Bool = true, at milliseconds: UInt64) -> BodyDisposition {
        guard case .body(let disposition) = on(.bodyBytes(count: count, held: heldBytes, clientWritable: writable,
                                                          at: Self.at(milliseconds))) else {
            preconditionFailure("bodyBytes returns a disposition")
        }
        return disposition
    }

    mutating func firstToken(at milliseconds: UInt64) -> SessionAction { action(.firstToken(at: Self.at(milliseconds))) }

    mutating func firstTokenTimerFired(at milliseconds: UInt64) -> SessionAction {
        action(.firstTokenTimerFired(at: Self.at(milliseconds)))
    }

    mutating func holdDeadlinePassed(at milliseconds: UInt64) -> SessionAction {
        action(.holdDeadlinePassed(at: Self.at(milliseconds)))
    }

    mutating func finished(_ end: UpstreamEnd = .complete, verdict: TruncationVerdict = .complete,
                           at milliseconds: UInt64) -> SessionAction {
        action(.upstreamFinished(end, verdict: verdict, at: Self.at(milliseconds)))
    }

    mutating func clientWritable() -> SessionAction { action(.clientWritable) }

    mutating func clientGone() -> SessionAction { action(.clientGone) }

    /// The request up to its first admission: the body ends, the phases go upstream with `plan`.
    mutating func route(_ plan: UpstreamAttemptStateMachine) -> [SessionAction] {
        [requestEnded(), phasesFinished(.proceed(plan))]
    }

    /// The request up to its first send: `route(plan)`, then the primary's attempt is granted
    /// at `milliseconds`.
    mutating func start(_ plan: UpstreamAttemptStateMachine, guardsFirstToken: Bool = false,
                        at milliseconds: UInt64 = 0) -> [SessionAction] {
        route(plan) + [admitted(.granted(guardsFirstToken: guardsFirstToken), at: milliseconds)]
    }

    /// Expects the request to have ended with exactly one terminal action and no broken
    /// invariant; then reports one event of every kind and expects each to be ignored.
    mutating func expectEnded(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(terminalActions.count == 1, "terminal actions: \(terminalActions)", sourceLocation: sourceLocation)
        #expect(machine.state == .done, sourceLocation: sourceLocation)
        let outputsBefore = outputs.count
        for event in SessionEvent.everyKind(at: Self.at(600_000), plan: plan ?? Fixtures.plan()) { _ = on(event) }
        let ignored = outputs[outputsBefore...].allSatisfy { $0.isNothing }
        #expect(ignored, sourceLocation: sourceLocation)
        #expect(violations == [], sourceLocation: sourceLocation)
    }

    /// With the head committed: bytes pass while the client is writable; when it is not, the
    /// transfer pauses without consuming them (libcurl offers them again), and a writable
    /// client resumes it.
    mutating func expectPassesWhileWritableAndPausesOtherwise(from milliseconds: UInt64,
                                                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(bytes(100, writable: true, at: milliseconds) == .pass, sourceLocation: sourceLocation)
        #expect(bytes(100, writable: false, at: milliseconds + 1) == .pauseWithoutConsuming, sourceLocation: sourceLocation)
        #expect(clientWritable() == .resumeUpstream, sourceLocation: sourceLocation)
        // libcurl offers the same bytes again.
        #expect(bytes(100, writable: true, at: milliseconds + 2) == .pass, sourceLocation: sourceLocation)
    }

    // MARK: Driving and checking

    /// Reports `event` to the machine, checks the invariants, and returns what it said.
    mutating func on(_ event: SessionEvent) -> SessionOutput {
        let before = machine.state
        let committedBefore = committedStatus != nil
        let output = apply(event)
        outputs.append(output)
        if output.isTerminal { terminalActions.append(output) }
        record(event, output, before: before)
        var broken: [String] = []
        if before == .done, !output.isNothing { broken.append("an event after done was not ignored") }
        if output.isTerminal {
            if terminalActions.count > 1 { broken.append("a second terminal action") }
            if machine.state != .done { broken.append("a terminal action did not end in done") }
            if let plan = machine.plan, output.endsThePlan, !plan.isFinished || plan.sentAttempts != machine.attempts {
                broken.append("the plan is not finished with every send recorded (\(plan.sentAttempts) of \(machine.attempts))")
            }
            if machine.status != expectedStatus(of: output) {
                broken.append("status \(machine.status), expected \(expectedStatus(of: output).map(String.init) ?? "none")")
            }
        } else if machine.state == .done, before != .done {
            broken.append("done without a terminal action")
        }
        if committedBefore {
            if output.isCommit { broken.append("a second commit") }
            if output.movesUpstream { broken.append("an attempt after the commit") }
            if case .action(.answerLocally) = output { broken.append("a local answer after the commit") }
            if case .action(.fail) = output { broken.append("a failure answer after the commit") }
        }
        if machine.attempts != sends { broken.append("attempts \(machine.attempts) after \(sends) sends") }
        if let plan, machine.attempts > plan.policy.maxAttempts {
            broken.append("attempts \(machine.attempts) beyond maxAttempts \(plan.policy.maxAttempts)")
        }
        if let sent = machine.plan?.sentAttempts, sent > machine.attempts {
            broken.append("the plan counted \(sent) sends, the session \(machine.attempts)")
        }
        if machine.isCommitted != (committedStatus != nil && machine.state != .done) {
            broken.append("isCommitted \(machine.isCommitted) in \(machine.state)")
        }
        if case .bodyBytes(_, _, let writable, _) = event {
            switch output {
            case .body(.pass) where !writable: broken.append("bytes passed to a full client")
            case .body(.pauseWithoutConsuming) where writable: broken.append("paused for a writable client")
            case .body(.pass), .body(.pauseWithoutConsuming):
                if case .committed = before {} else { broken.append("bytes passed before the commit") }
            case .body(.hold), .body(.holdThenCommit):
                if case .holding = before {} else { broken.append("bytes held without a held response") }
            default: break
            }
        }
        violations += broken.map { "\(event) in \(before) gave \(output): \($0)" }
        return output
    }

    private mutating func action(_ event: SessionEvent) -> SessionAction {
        guard case .action(let action) = on(event) else { preconditionFailure("only bodyBytes returns a disposition") }
        return action
    }

    private mutating func apply(_ event: SessionEvent) -> SessionOutput {
        let ejected = self.ejected
        let random = self.random
        let isAvailable = { (backend: Int) in !ejected.contains(backend) }
        switch event {
        case .requestEnded(let limit):
            return .action(machine.requestEnded(bodyLimitExceeded: limit))
        case .phasesFinished(let outcome):
            return .action(machine.phasesFinished(outcome))
        case .phaseSuspended:
            return .action(machine.phaseSuspended())
        case .phaseResumed:
            return .action(machine.phaseResumed())
        case .admitted(let admission, let now):
            return .action(machine.admitted(admission, at: now, random: random, budget: &budget, isAvailable: isAvailable))
        case .slotGranted(let guardsFirstToken):
            return .action(machine.slotGranted(guardsFirstToken: guardsFirstToken))
        case .queueExpired(let now):
            return .action(machine.queueExpired(at: now, random: random, budget: &budget, isAvailable: isAvailable))
        case .retryTimerFired:
            return .action(machine.retryTimerFired())
        case .responseHead(let status, let eventStream, let retryAfter, let now):
            return .action(machine.responseHead(status: status, eventStream: eventStream, retryAfter: retryAfter, at: now,
                                                random: random, budget: &budget, isAvailable: isAvailable))
        case .bodyBytes(let count, let held, let clientWritable, let now):
            return .body(machine.bodyBytes(count: count, held: held, clientWritable: clientWritable, at: now))
        case .firstToken(let now):
            return .action(machine.firstToken(at: now))
        case .firstTokenTimerFired(let now):
            return .action(machine.firstTokenTimerFired(at: now, random: random, budget: &budget, isAvailable: isAvailable))
        case .holdDeadlinePassed(let now):
            return .action(machine.holdDeadlinePassed(at: now))
        case .upstreamFinished(let end, let verdict, let now):
            return .action(machine.upstreamFinished(end, verdict: verdict, at: now, random: random, budget: &budget,
                                                    isAvailable: isAvailable))
        case .clientWritable:
            return .action(machine.clientWritable())
        case .clientGone:
            return .action(machine.clientGone())
        }
    }

    /// Keeps what the data plane would: the plan, the head's status, what is held, what was committed.
    private mutating func record(_ event: SessionEvent, _ output: SessionOutput, before: SessionState) {
        switch (event, before) {
        case (.phasesFinished(.proceed(let plan)), .runningPhases): self.plan = plan
        case (.phasesFinished(.answered(let status)), .runningPhases): answeredStatus = status
        case (.responseHead(let status, _, _, _), .awaitingHead): headStatus = status
        case (.bodyBytes(let count, _, _, _), _) where output == .body(.hold) || output == .body(.holdThenCommit):
            heldBytes += count
        default: break
        }
        if case .action(.send) = output {
            sends += 1
            heldBytes = 0
        }
        if output.isCommit, committedStatus == nil { committedStatus = headStatus }
    }

    private func expectedStatus(of terminal: SessionOutput) -> Int? {
        switch terminal {
        case .action(.answerLocally(let local)): local.status
        case .action(.logOnly): answeredStatus
        case .action(.fail(let failure, _)): failure.status
        case .action(.commit): headStatus
        case .action(.finishCommitted): committedStatus
        case .action(.abandon): committedStatus ?? 499
        default: nil
        }
    }
}
