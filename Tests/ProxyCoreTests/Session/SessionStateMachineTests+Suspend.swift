import Testing
@testable import ProxyCore

/// A phase that completes asynchronously (the admit phase waiting for Redis): the request
/// waits in `phaseSuspended`, the completion resumes the phases, the client may leave meanwhile.
extension SessionStateMachineTests {
    @Test func aSuspendedPhaseResumesThePhasesWhenItCompletes() {
        var run = SessionRun()
        #expect(run.requestEnded() == .runPhases)
        #expect(run.phaseSuspended() == .none)
        #expect(run.machine.state == .phaseSuspended)
        #expect(run.phaseResumed() == .resumePhases)
        #expect(run.machine.state == .runningPhases)
        #expect(run.phasesFinished(.proceed(Fixtures.plan())) == .admitAttempt(Self.primary))
        #expect(run.violations == [])
    }

    @Test func aSuspendedPhaseThatEndsInALocalAnswerAnswersOnce() {
        var run = SessionRun()
        let unavailable = LocalAnswer(status: 503, code: "limits_unavailable", message: "Redis did not answer")
        _ = run.requestEnded()
        _ = run.phaseSuspended()
        #expect(run.phaseResumed() == .resumePhases)
        #expect(run.phasesFinished(.answer(unavailable)) == .answerLocally(unavailable))
        #expect(run.machine.status == 503)
        run.expectEnded()
    }

    @Test func whileSuspendedOnlyTheCompletionAndTheClientLeavingCount() {
        var run = SessionRun()
        _ = run.requestEnded()
        _ = run.phaseSuspended()
        // Upstream events, a second suspension and finished phases cannot arrive now: ignored.
        #expect(run.phasesFinished(.proceed(Fixtures.plan())) == .none)
        #expect(run.phaseSuspended() == .none)
        #expect(run.admitted(.granted(guardsFirstToken: false)) == .none)
        #expect(run.retryTimerFired() == .none)
        #expect(run.machine.state == .phaseSuspended)
        #expect(run.violations == [])
    }

    @Test func theClientLeavingWhileSuspendedAbandonsAndALateCompletionIsIgnored() {
        var run = SessionRun()
        _ = run.requestEnded()
        _ = run.phaseSuspended()
        #expect(run.clientGone() == .abandon)
        #expect(run.machine.status == 499)
        #expect(run.phaseResumed() == .none)
        run.expectEnded()
    }

    @Test func aCompletionWithoutASuspensionIsIgnored() {
        var run = SessionRun()
        #expect(run.phaseResumed() == .none)
        _ = run.requestEnded()
        #expect(run.phaseResumed() == .none)
        #expect(run.machine.state == .runningPhases)
    }
}
