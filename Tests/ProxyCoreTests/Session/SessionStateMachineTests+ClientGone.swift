import Testing
@testable import ProxyCore

/// The client leaving (or a server timeout closing its connection) in every state.
extension SessionStateMachineTests {
    /// Every state a request can be in when its client leaves, with how to get there.
    enum Stage: CaseIterable, CustomTestStringConvertible {
        case receiving, runningPhases, phaseSuspended, admittingAttempt, waitingForSlot, waitingToRetry, awaitingHead
        case holdingWholeBody, holdingStreamPrefix, holdingFirstToken
        case committedStream, committedJSON, committedErrorStatus

        var testDescription: String { "\(self)" }

        /// A run that reached the stage, with no terminal action yet.
        func reach() -> SessionRun {
            let plan = Fixtures.plan(attempts: 3)
            var run = SessionRun(settings: self == .holdingStreamPrefix ? SessionStateMachineTests.buffering : SessionRun.settings())
            switch self {
            case .receiving:
                break
            case .runningPhases:
                _ = run.requestEnded()
            case .phaseSuspended:
                _ = run.requestEnded()
                _ = run.phaseSuspended()
            case .admittingAttempt:
                _ = run.route(plan)
            case .waitingForSlot:
                _ = run.route(plan)
                _ = run.admitted(.queued, at: 0)
            case .waitingToRetry:
                _ = run.start(plan)
                _ = run.head(429, stream: false, retryAfter: .seconds(1), at: 100)
            case .awaitingHead:
                _ = run.start(plan)
            case .holdingWholeBody:
                _ = run.start(plan)
                _ = run.head(200, stream: false, at: 100)
                _ = run.bytes(100, at: 200)
            case .holdingStreamPrefix:
                _ = run.start(Fixtures.plan(triggers: SessionStateMachineTests.truncating))
                _ = run.head(200, stream: true, at: 100)
                _ = run.bytes(100, at: 200)
            case .holdingFirstToken:
                _ = run.start(plan, guardsFirstToken: true)
                _ = run.head(200, stream: true, at: 100)
                _ = run.bytes(14, at: 200)
            case .committedStream:
                _ = run.start(plan)
                _ = run.head(200, stream: true, at: 100)
                _ = run.bytes(100, writable: false, at: 200)
            case .committedJSON:
                _ = run.start(plan)
                _ = run.head(201, stream: false, at: 100)
                _ = run.bytes(2_000, at: 200)
            case .committedErrorStatus:
                _ = run.start(Fixtures.plan(chain: []))
                _ = run.head(429, stream: false, at: 100)
            }
            return run
        }

        var state: SessionState {
            switch self {
            case .receiving: .receiving
            case .runningPhases: .runningPhases
            case .phaseSuspended: .phaseSuspended
            case .admittingAttempt: .admittingAttempt
            case .waitingForSlot: .waitingForSlot
            case .waitingToRetry: .waitingToRetry
            case .awaitingHead: .awaitingHead
            case .holdingWholeBody: .holding(.wholeBody)
            case .holdingStreamPrefix: .holding(.streamPrefix(until: SessionRun.at(2_100)))
            case .holdingFirstToken: .holding(.firstToken)
            case .committedStream: .committed(eventStream: true)
            case .committedJSON, .committedErrorStatus: .committed(eventStream: false)
            }
        }

        /// 499 (nginx's "client closed request") unless the head went out: then its status.
        var statusWhenAbandoned: Int {
            switch self {
            case .committedStream: 200
            case .committedJSON: 201
            case .committedErrorStatus: 429
            default: 499
            }
        }
    }

    @Test(arguments: Stage.allCases)
    func theClientLeavingEndsTheRequestWithOneAbandonInEveryState(stage: Stage) {
        var run = stage.reach()
        #expect(run.machine.state == stage.state)
        #expect(run.terminalActions.isEmpty)
        #expect(run.clientGone() == .abandon)
        #expect(run.machine.state == .done)
        #expect(run.machine.status == stage.statusWhenAbandoned)
        #expect(!run.machine.isCommitted)
        // Every later event, a second clientGone included, is ignored.
        run.expectEnded()
    }
}
