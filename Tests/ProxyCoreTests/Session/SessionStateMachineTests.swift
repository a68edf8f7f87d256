import Testing
@testable import ProxyCore

/// Drives `SessionStateMachine` through every path with a manual clock (instants in
/// milliseconds after the attempt-plan fixtures' start) and asserts the exact actions;
/// `SessionRun` checks the invariants after every event. This file: the request, the phases,
/// and the answers that need no second attempt. Retries and fallbacks, holding, the first
/// token, the client leaving and random sequences have their own files.
@Suite struct SessionStateMachineTests {
    typealias Fixtures = ResilienceTests.UpstreamAttemptStateMachineTests
    static let primary = Fixtures.primary
    static let distill = Fixtures.distill.target(clientModel: "deepseek-r1")
    static let online = Fixtures.online.target(clientModel: "deepseek-r1")

    @Test func aRequestBodyOverTheLimitIsAnsweredLocallyWith413() {
        var run = SessionRun()
        #expect(run.requestEnded(bodyLimitExceeded: 1_024)
            == .answerLocally(LocalAnswer(status: 413, code: "request_too_large", message: "the request body exceeds 1024 bytes")))
        #expect(run.machine.status == 413)
        #expect(run.machine.attempts == 0)
        run.expectEnded()
    }

    @Test func aPhaseThatAnswersLocallyEndsTheRequestWithThatAnswer() {
        var run = SessionRun()
        let unauthorized = LocalAnswer(status: 401, code: "invalid_api_key", message: "unknown key")
        #expect(run.requestEnded() == .runPhases)
        #expect(run.machine.state == .runningPhases)
        #expect(run.phasesFinished(.answer(unauthorized)) == .answerLocally(unauthorized))
        #expect(run.machine.status == 401)
        #expect(run.machine.plan == nil)
        run.expectEnded()
    }

    @Test func aPhaseThatWroteTheAnswerItselfIsOnlyLogged() {
        var run = SessionRun()
        #expect(run.requestEnded() == .runPhases)
        #expect(run.phasesFinished(.answered(status: 200)) == .logOnly)
        #expect(run.machine.status == 200)
        #expect(run.machine.attempts == 0)
        run.expectEnded()
    }

    @Test func aJSONAnswerIsHeldWholeAndCommittedFinishedWhenItEnds() {
        var run = SessionRun()
        #expect(run.requestEnded() == .runPhases)
        #expect(run.phasesFinished(.proceed(Fixtures.plan())) == .admitAttempt(Self.primary))
        #expect(run.machine.state == .admittingAttempt)
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 1) == .send(Self.primary))
        #expect(run.machine.state == .awaitingHead)
        #expect(!run.machine.hasHead)
        #expect(run.head(200, stream: false, at: 300) == SessionAction.none)
        #expect(run.machine.state == .holding(.wholeBody))
        #expect(run.machine.hasHead && !run.machine.isCommitted)
        #expect(run.machine.status == 0)
        #expect(run.bytes(400, at: 310) == .hold)
        // A full client does not matter while the response is held: nothing is written yet.
        #expect(run.bytes(400, writable: false, at: 320) == .hold)
        #expect(run.finished(.complete, verdict: .complete, at: 330) == .commit(truncated: false, finished: true))
        #expect(run.machine.status == 200)
        #expect(run.machine.attempts == 1)
        #expect(run.machine.plan?.records.map(\.step) == [.delivered])
        run.expectEnded()
    }

    @Test func aStreamIsCommittedAtItsHeadWhenNothingHoldsIt() {
        var run = SessionRun()
        #expect(run.start(Fixtures.plan()) == [.runPhases, .admitAttempt(Self.primary), .send(Self.primary)])
        #expect(run.head(200, stream: true, at: 300) == .commit(truncated: false, finished: false))
        #expect(run.machine.state == .committed(eventStream: true))
        #expect(run.machine.isCommitted)
        #expect(run.machine.status == 200)
        #expect(run.bytes(100, at: 310) == .pass)
        run.expectPassesWhileWritableAndPausesOtherwise(from: 320)
        #expect(run.finished(.complete, at: 2_000) == .finishCommitted(.complete))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test func aStreamThatBreaksAfterItsCommitIsFinishedWithTheFailure() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3))
        #expect(run.head(200, stream: true, at: 300) == .commit(truncated: false, finished: false))
        #expect(run.bytes(100, at: 310) == .pass)
        let broken = UpstreamEnd.failed(.brokenAfterFirstByte, kind: "broken")
        // Retries and fallbacks are left, but the head went out: the stream ends with the failure.
        #expect(run.finished(broken, at: 400) == .finishCommitted(broken))
        #expect(run.machine.status == 200)
        #expect(run.machine.attempts == 1)
        run.expectEnded()
    }

    @Test func aStatusThatIsNotATriggerIsCommittedAsItIsAndItsBodyPasses() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3))
        #expect(run.head(400, stream: false, at: 300) == .commit(truncated: false, finished: false))
        #expect(run.machine.state == .committed(eventStream: false))
        #expect(run.machine.status == 400)
        #expect(run.bytes(50, at: 310) == .pass)
        #expect(run.bytes(50, writable: false, at: 311) == .pauseWithoutConsuming)
        #expect(run.clientWritable() == .resumeUpstream)
        #expect(run.bytes(50, at: 312) == .pass)
        #expect(run.finished(at: 320) == .finishCommitted(.complete))
        #expect(run.machine.status == 400)
        run.expectEnded()
    }

    @Test func bodyBytesWithoutACurrentResponseAreDiscarded() {
        var run = SessionRun()
        #expect(run.bytes(10, at: 0) == .discard)
        _ = run.start(Fixtures.plan(attempts: 2))
        #expect(run.bytes(10, at: 1) == .discard)
        #expect(run.head(500, stream: false, at: 10) == .retry(after: .zero, cancelTransfer: true, from: Self.primary,
                                                              to: Self.primary, kind: .retry))
        // The 500's body may still trickle in before the cancel takes effect.
        #expect(run.bytes(10, at: 11) == .discard)
        #expect(run.machine.state == .waitingToRetry)
        #expect(run.clientGone() == .abandon)
        run.expectEnded()
    }

    @Test func clientWritableResumesOnlyACommittedResponse() {
        var run = SessionRun()
        #expect(run.clientWritable() == SessionAction.none)
        _ = run.start(Fixtures.plan())
        #expect(run.clientWritable() == SessionAction.none)
        #expect(run.head(200, stream: false, at: 10) == SessionAction.none)
        #expect(run.clientWritable() == SessionAction.none)
        #expect(run.finished(at: 20) == .commit(truncated: false, finished: true))
        #expect(run.clientWritable() == SessionAction.none)
        run.expectEnded()
    }

    @Test func eventsThatDoNotFitTheStateAreIgnored() {
        var run = SessionRun()
        #expect(run.phasesFinished(.answered(status: 200)) == SessionAction.none)
        #expect(run.admitted(.granted(guardsFirstToken: false)) == SessionAction.none)
        #expect(run.head(200, stream: true, at: 0) == SessionAction.none)
        #expect(run.finished(at: 0) == SessionAction.none)
        #expect(run.machine.state == .receiving)
        #expect(run.requestEnded() == .runPhases)
        #expect(run.requestEnded(bodyLimitExceeded: 5) == SessionAction.none)
        #expect(run.phasesFinished(.proceed(Fixtures.plan())) == .admitAttempt(Self.primary))
        #expect(run.phasesFinished(.answered(status: 200)) == SessionAction.none)
        #expect(run.slotGranted() == SessionAction.none)
        #expect(run.queueExpired(at: 5) == SessionAction.none)
        #expect(run.retryTimerFired() == SessionAction.none)
        #expect(run.firstToken(at: 5) == SessionAction.none)
        #expect(run.firstTokenTimerFired(at: 5) == SessionAction.none)
        #expect(run.machine.state == .admittingAttempt)
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 5) == .send(Self.primary))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 6) == SessionAction.none)
        #expect(run.slotGranted() == SessionAction.none)
        #expect(run.head(200, stream: false, at: 10) == SessionAction.none)
        // A second head for the same attempt changes nothing.
        #expect(run.head(503, stream: false, at: 11) == SessionAction.none)
        #expect(run.machine.state == .holding(.wholeBody))
        #expect(run.finished(at: 20) == .commit(truncated: false, finished: true))
        #expect(run.machine.status == 200)
        #expect(run.machine.attempts == 1)
        run.expectEnded()
    }
}
