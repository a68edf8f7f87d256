@testable import ProxyCore

/// Random but reproducible sessions: a random route (hold settings, fallback chain, triggers,
/// retries, deadline, attempt limit, ejected backends, retry budget) and a random sequence of
/// events at increasing instants. Most events fit the state the machine is in (so the runs
/// reach deep states); a share `nonsense` of them is any event at all, in any order.
struct SessionEventGenerator {
    typealias Fixtures = ResilienceTests.UpstreamAttemptStateMachineTests

    /// The run to feed the events to, with its random route.
    private(set) var run: SessionRun
    private var rng: SplitMix64
    private let plan: UpstreamAttemptStateMachine
    private let nonsense: Double
    private let clientLeaves: Double
    private var milliseconds: UInt64 = 0

    init(seed: UInt64, nonsense: Double, clientLeaves: Double) {
        rng = SplitMix64(seed: seed)
        self.nonsense = nonsense
        self.clientLeaves = clientLeaves
        let settings = SessionSettings(holdBytesLimit: [0, 500, 2_000, 1 << 20].randomElement(using: &rng)!,
                                       bufferStreams: [.zero, .seconds(1), .seconds(5)].randomElement(using: &rng)!,
                                       truncationFallback: Bool.random(using: &rng))
        let statuses: [[StatusMatch]] = [[], [.code(429)], [.code(429), .statusClass(5)]]
        let triggers = FallbackTriggers(statuses: statuses.randomElement(using: &rng)!, connectFailure: Bool.random(using: &rng),
                                        timeout: Bool.random(using: &rng), truncation: Bool.random(using: &rng))
        let chains: [[FallbackCandidate]] = [[], [Fixtures.distill], [Fixtures.online], [Fixtures.distill, Fixtures.online]]
        plan = Fixtures.plan(chain: chains.randomElement(using: &rng)!, triggers: triggers, attempts: Int.random(in: 1...3, using: &rng),
                             deadline: [.seconds(2), .seconds(10), .seconds(60)].randomElement(using: &rng)!,
                             maxAttempts: Int.random(in: 1...5, using: &rng), honorRetryAfter: Bool.random(using: &rng))
        run = SessionRun(settings: settings, budget: RetryBudget(percent: [0, 20, 100].randomElement(using: &rng)!,
                                                                 minRetries: Int.random(in: 0...2, using: &rng)))
        run.ejected = [[], [0], [1], [0, 1]].randomElement(using: &rng)!
    }

    /// The states the run was in.
    private(set) var visited: Set<SessionState> = [.receiving]

    /// Reports `count` random events to the run, or fewer: `extraAfterDone` more once it is done.
    mutating func play(_ count: Int, extraAfterDone: Int = .max) {
        var extra = extraAfterDone
        for _ in 0..<count {
            if run.machine.state == .done {
                if extra == 0 { return }
                extra -= 1
            }
            run.random = rng.next()
            let event = nextEvent()
            _ = run.on(event)
            visited.insert(run.machine.state)
        }
    }

    /// A state's name without the instants it carries: `holding streamPrefix`, `committed eventStream: true`.
    static func stateName(_ state: SessionState) -> String {
        switch state {
        case .holding(.streamPrefix): "holding streamPrefix"
        case .holding(let reason): "holding \(reason)"
        case .committed(let eventStream): "committed eventStream: \(eventStream)"
        default: "\(state)"
        }
    }

    private mutating func nextEvent() -> SessionEvent {
        milliseconds += UInt64.random(in: 0...1_500, using: &rng)
        if chance(0.02) { milliseconds += 40_000 }  // past any deadline
        if chance(clientLeaves) { return .clientGone }
        if chance(nonsense) { return anyEvent() }
        return fittingEvent()
    }

    /// An event that the machine's current state expects.
    private mutating func fittingEvent() -> SessionEvent {
        let now = SessionRun.at(milliseconds)
        switch run.machine.state {
        case .receiving:
            return .requestEnded(bodyLimitExceeded: chance(0.05) ? 1_024 : nil)
        case .runningPhases:
            return chance(0.2) ? .phaseSuspended : phasesOutcome()
        case .phaseSuspended:
            return .phaseResumed
        case .admittingAttempt:
            let admission: AttemptAdmission = chance(0.6) ? .granted(guardsFirstToken: Bool.random(using: &rng))
                : chance(0.5) ? .queued : .rejected(rejection())
            return .admitted(admission, at: now)
        case .waitingForSlot:
            return chance(0.6) ? .slotGranted(guardsFirstToken: Bool.random(using: &rng)) : .queueExpired(at: now)
        case .waitingToRetry:
            return .retryTimerFired
        case .awaitingHead:
            if chance(0.6) { return head(at: now) }
            return chance(0.5) ? .upstreamFinished(.failed(failure(), kind: "failure"), verdict: .complete, at: now)
                : .firstTokenTimerFired(at: now)
        case .holding:
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4: return bytes(held: run.heldBytes, at: now)
            case 4, 5: return .firstToken(at: now)
            case 6: return chance(0.5) ? .firstTokenTimerFired(at: now) : .holdDeadlinePassed(at: now)
            default: return finished(at: now)
            }
        case .committed:
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5: return bytes(held: 0, at: now)
            case 5, 6: return .clientWritable
            case 7: return .firstToken(at: now)
            default: return finished(at: now)
            }
        case .done:
            return anyEvent()
        }
    }

    /// Any event, with any parameters.
    private mutating func anyEvent() -> SessionEvent {
        let now = SessionRun.at(milliseconds)
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: return .requestEnded(bodyLimitExceeded: chance(0.5) ? 1_024 : nil)
        case 1: return phasesOutcome()
        case 2: return .admitted([.granted(guardsFirstToken: true), .granted(guardsFirstToken: false), .queued,
                                  .rejected(rejection())].randomElement(using: &rng)!, at: now)
        case 3: return .slotGranted(guardsFirstToken: Bool.random(using: &rng))
        case 4: return .queueExpired(at: now)
        case 5: return .retryTimerFired
        case 6: return head(at: now)
        case 7: return bytes(held: Int.random(in: 0...3_000, using: &rng), at: now)
        case 8: return .firstToken(at: now)
        case 9: return .firstTokenTimerFired(at: now)
        case 10: return finished(at: now)
        case 11: return .clientWritable
        case 12: return .phaseSuspended
        case 13: return .phaseResumed
        case 14: return .holdDeadlinePassed(at: now)
        default: return .clientGone
        }
    }

    private mutating func phasesOutcome() -> SessionEvent {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .phasesFinished(.answer(LocalAnswer(status: 401, code: "invalid_api_key", message: "unknown key")))
        case 1: return .phasesFinished(.answered(status: 200))
        default: return .phasesFinished(.proceed(plan))
        }
    }

    private mutating func head(at now: ProxyInstant) -> SessionEvent {
        .responseHead(status: [200, 200, 200, 201, 400, 429, 500, 503].randomElement(using: &rng)!,
                      eventStream: Bool.random(using: &rng),
                      retryAfter: [nil, .seconds(1), .seconds(30)].randomElement(using: &rng)!, at: now)
    }

    private mutating func bytes(held: Int, at now: ProxyInstant) -> SessionEvent {
        .bodyBytes(count: Int.random(in: 1...700, using: &rng), held: held, clientWritable: chance(0.7), at: now)
    }

    private mutating func finished(at now: ProxyInstant) -> SessionEvent {
        let end: UpstreamEnd = chance(0.7) ? .complete : .failed(failure(), kind: "failure")
        return .upstreamFinished(end, verdict: [.complete, .complete, .tokenLimit, .cutOff].randomElement(using: &rng)!, at: now)
    }

    /// How a transfer fails (the data plane reports no other outcome as a failed end).
    private mutating func failure() -> AttemptOutcome {
        [.connectFailure, .timeout(.connect), .timeout(.firstByte), .timeout(.idle), .timeout(.total),
         .brokenAfterFirstByte].randomElement(using: &rng)!
    }

    private mutating func rejection() -> LocalRejection {
        [.noQueue, .queueFull, .queueTimeout, .ejected].randomElement(using: &rng)!
    }

    private mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &rng) < probability
    }
}
