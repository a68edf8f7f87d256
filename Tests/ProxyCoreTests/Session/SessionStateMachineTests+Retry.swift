import Testing
@testable import ProxyCore

/// Retries, fallbacks, the breaker, the concurrency queue and the deadline.
extension SessionStateMachineTests {
    @Test func a429WithRetryAfterIsRetriedAfterTheProvidersWaitThenSucceeds() {
        var run = SessionRun(budget: RetryBudget(percent: 20))
        _ = run.start(Fixtures.plan(attempts: 3))
        run.random = .max  // the backoff's whole first ceiling, 100ms: the provider's 2s is longer and wins
        #expect(run.head(429, stream: false, retryAfter: .seconds(2), at: 300)
            == .retry(after: .seconds(2), cancelTransfer: true, from: Self.primary, to: Self.primary, kind: .retry))
        #expect(run.machine.state == .waitingToRetry)
        #expect(!run.machine.hasHead)
        #expect(run.machine.status == 0)
        #expect(run.retryTimerFired() == .admitAttempt(Self.primary))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 2_300) == .send(Self.primary))
        #expect(run.machine.attempts == 2)
        #expect(run.head(200, stream: false, at: 2_600) == SessionAction.none)
        #expect(run.bytes(200, at: 2_610) == .hold)
        #expect(run.finished(at: 2_620) == .commit(truncated: false, finished: true))
        #expect(run.machine.status == 200)
        #expect(run.budget.totals(at: SessionRun.at(2_620)).retries == 1)
        #expect(run.machine.plan?.pathDescription
            == "self-hosted/deepseek-r1 429 retry-after 2s: retry in 2s; self-hosted/deepseek-r1 success: delivered")
        run.expectEnded()
    }

    @Test func withoutHonorRetryAfterTheRetryWaitsOnlyTheBackoff() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3, honorRetryAfter: false))
        run.random = .max
        #expect(run.head(429, stream: true, retryAfter: .seconds(2), at: 300)
            == .retry(after: .milliseconds(100), cancelTransfer: true, from: Self.primary, to: Self.primary, kind: .retry))
        #expect(run.retryTimerFired() == .admitAttempt(Self.primary))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 400) == .send(Self.primary))
        #expect(run.head(200, stream: true, at: 500) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 900) == .finishCommitted(.complete))
        #expect(run.machine.attempts == 2)
        run.expectEnded()
    }

    @Test func anExhaustedRetryBudgetFallsBackToTheNextEntryInstead() {
        var run = SessionRun(budget: RetryBudget(percent: 0, minRetries: 0))
        _ = run.start(Fixtures.plan(attempts: 3))
        #expect(run.head(429, stream: false, at: 100)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill, kind: .fallback(.retryBudgetExhausted)))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 100) == .send(Self.distill))
        #expect(run.head(200, stream: true, at: 200) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 900) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func anExhaustedRetryBudgetWithNoFallbackDeliversTheProvidersAnswer() {
        var run = SessionRun(budget: RetryBudget(percent: 0, minRetries: 0))
        _ = run.start(Fixtures.plan(chain: [], attempts: 3))
        #expect(run.head(429, stream: false, retryAfter: .seconds(1), at: 100) == .commit(truncated: false, finished: false))
        #expect(run.machine.status == 429)
        #expect(run.bytes(80, at: 101) == .pass)
        #expect(run.finished(at: 102) == .finishCommitted(.complete))
        #expect(run.machine.status == 429)
        #expect(run.machine.attempts == 1)
        run.expectEnded()
    }

    @Test func retriesAndFallbacksStopAtMaxAttemptsAndTheLastAnswerIsDelivered() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 2, maxAttempts: 5))
        let failed503 = FallbackReason.triggered(.status(503, retryAfter: nil))
        #expect(run.head(503, stream: false, at: 100)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.primary, kind: .retry))
        #expect(run.retryTimerFired() == .admitAttempt(Self.primary))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 100) == .send(Self.primary))
        #expect(run.head(503, stream: false, at: 200)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill, kind: .fallback(failed503)))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 200) == .send(Self.distill))
        #expect(run.head(503, stream: false, at: 300)
            == .retry(after: .zero, cancelTransfer: true, from: Self.distill, to: Self.distill, kind: .retry))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 300) == .send(Self.distill))
        #expect(run.head(503, stream: false, at: 400)
            == .retry(after: .zero, cancelTransfer: true, from: Self.distill, to: Self.online, kind: .fallback(failed503)))
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 400) == .send(Self.online))
        #expect(run.machine.attempts == 5)
        // A retry is left on this target, but not within maxAttempts: the provider's own 503 goes out.
        #expect(run.head(503, stream: false, at: 500) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 510) == .finishCommitted(.complete))
        #expect(run.machine.status == 503)
        #expect(run.machine.attempts == 5)
        run.expectEnded()
    }

    @Test func a5xxFallsBackToTheNextChainEntryWhichAnswers() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan())
        #expect(run.head(502, stream: false, at: 40)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.status(502, retryAfter: nil)))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 40) == .send(Self.distill))
        #expect(run.head(200, stream: false, at: 90) == SessionAction.none)
        #expect(run.bytes(10, at: 91) == .hold)
        #expect(run.finished(at: 92) == .commit(truncated: false, finished: true))
        #expect(run.machine.plan?.current == Self.distill)
        #expect(run.machine.attempts == 2)
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test(arguments: [
        (AttemptOutcome.connectFailure, "connect"), (.timeout(.connect), "connect_timeout"),
        (.timeout(.firstByte), "first_byte_timeout"), (.timeout(.idle), "idle_timeout"),
    ])
    func aTransferFailureBeforeTheHeadFallsBackWithoutCancellingTheEndedTransfer(outcome: AttemptOutcome, kind: String) {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(chain: [Fixtures.online]))
        #expect(run.finished(.failed(outcome, kind: kind), at: 50)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.online, kind: .fallback(.triggered(outcome))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 50) == .send(Self.online))
        #expect(run.head(200, stream: true, at: 90) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 200) == .finishCommitted(.complete))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test func aHeldBodyThatBreaksFallsBack() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan())
        #expect(run.head(200, stream: false, at: 40) == SessionAction.none)
        #expect(run.bytes(300, at: 41) == .hold)
        #expect(run.finished(.failed(.brokenAfterFirstByte, kind: "broken"), at: 42)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.brokenAfterFirstByte))))
        #expect(run.machine.status == 0)
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 42) == .send(Self.distill))
        #expect(run.heldBytes == 0)
        #expect(run.head(200, stream: false, at: 60) == SessionAction.none)
        #expect(run.bytes(300, at: 61) == .hold)
        #expect(run.finished(at: 62) == .commit(truncated: false, finished: true))
        run.expectEnded()
    }

    @Test(arguments: [(AttemptOutcome.connectFailure, 502), (.timeout(.firstByte), 504), (.brokenAfterFirstByte, 502)])
    func aTransferFailureWithNothingLeftFailsWithTheUpstreamError(outcome: AttemptOutcome, status: Int) {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(chain: []))
        if outcome == .brokenAfterFirstByte {
            #expect(run.head(200, stream: false, at: 10) == SessionAction.none)
        }
        #expect(run.finished(.failed(outcome, kind: "x"), at: 50) == .fail(.upstream(outcome), cancelTransfer: false))
        #expect(run.machine.status == status)
        run.expectEnded()
    }

    @Test func aFailureThatIsNotATriggerFailsAtOnce() {
        var run = SessionRun()
        let triggers = FallbackTriggers(statuses: [.code(429)], connectFailure: false, timeout: false, truncation: false)
        _ = run.start(Fixtures.plan(triggers: triggers, attempts: 3))
        #expect(run.finished(.failed(.connectFailure, kind: "connect"), at: 5) == .fail(.upstream(.connectFailure), cancelTransfer: false))
        #expect(run.machine.status == 502)
        run.expectEnded()
    }

    @Test func anEjectedFallbackEntryIsSkipped() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan())
        run.ejected = [0]  // the breaker opened for self-hosted while the primary's attempt ran
        #expect(run.head(503, stream: false, at: 5)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.online,
                      kind: .fallback(.triggered(.status(503, retryAfter: nil)))))
        #expect(run.machine.plan?.records.map(\.outcome) == [.rejected(.ejected), .status(503, retryAfter: nil)])
        #expect(run.machine.plan?.records.first?.target == Self.distill)
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 5) == .send(Self.online))
        #expect(run.head(200, stream: true, at: 50) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 80) == .finishCommitted(.complete))
        #expect(run.machine.attempts == 2)
        run.expectEnded()
    }

    @Test func anAttemptTheBreakerRejectsFallsBackWithoutBeingSent() {
        var run = SessionRun()
        #expect(run.requestEnded() == .runPhases)
        #expect(run.phasesFinished(.proceed(Fixtures.plan(attempts: 3))) == .admitAttempt(Self.primary))
        #expect(run.admitted(.rejected(.ejected), at: 0)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.rejected(.ejected)))))
        #expect(run.machine.attempts == 0)
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 1) == .send(Self.distill))
        #expect(run.machine.attempts == 1)
        #expect(run.head(200, stream: false, at: 50) == SessionAction.none)
        #expect(run.finished(at: 60) == .commit(truncated: false, finished: true))
        run.expectEnded()
    }

    @Test func aRetryTheBreakerRejectsFallsBack() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3))
        #expect(run.head(500, stream: false, at: 10)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.primary, kind: .retry))
        #expect(run.retryTimerFired() == .admitAttempt(Self.primary))
        #expect(run.admitted(.rejected(.ejected), at: 10)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.rejected(.ejected)))))
        #expect(run.machine.attempts == 1)
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.clientGone() == .abandon)
        run.expectEnded()
    }

    @Test func aQueuedAttemptIsSentWhenItsSlotIsGranted() {
        var run = SessionRun()
        #expect(run.requestEnded() == .runPhases)
        #expect(run.phasesFinished(.proceed(Fixtures.plan())) == .admitAttempt(Self.primary))
        #expect(run.admitted(.queued, at: 0) == SessionAction.none)
        #expect(run.machine.state == .waitingForSlot)
        #expect(run.machine.attempts == 0)
        #expect(run.slotGranted(guardsFirstToken: false) == .send(Self.primary))
        #expect(run.machine.attempts == 1)
        #expect(run.slotGranted(guardsFirstToken: false) == SessionAction.none)
        #expect(run.queueExpired(at: 800) == SessionAction.none)
        #expect(run.head(200, stream: true, at: 900) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 1_000) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func anExpiredQueueWaitFallsBack() {
        var run = SessionRun()
        #expect(run.route(Fixtures.plan(chain: [Fixtures.online])) == [.runPhases, .admitAttempt(Self.primary)])
        #expect(run.admitted(.queued, at: 0) == SessionAction.none)
        #expect(run.queueExpired(at: 800)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.online,
                      kind: .fallback(.triggered(.rejected(.queueTimeout)))))
        #expect(run.slotGranted() == SessionAction.none)
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 800) == .send(Self.online))
        #expect(run.head(200, stream: false, at: 900) == SessionAction.none)
        #expect(run.finished(at: 950) == .commit(truncated: false, finished: true))
        #expect(run.machine.attempts == 1)
        run.expectEnded()
    }

    @Test func anExpiredQueueWaitWithNothingLeftFailsOverloadedWithRetryAfter() {
        var run = SessionRun()
        #expect(run.route(Fixtures.plan(chain: [], attempts: 3)) == [.runPhases, .admitAttempt(Self.primary)])
        #expect(run.admitted(.queued, at: 0) == SessionAction.none)
        #expect(run.queueExpired(at: 800) == .fail(.overloaded(retryAfter: .seconds(1)), cancelTransfer: false))
        #expect(run.machine.status == 503)
        #expect(AttemptFailure.overloaded(retryAfter: .seconds(1)).code == "backend_overloaded")
        #expect(run.machine.attempts == 0)
        run.expectEnded()
    }

    @Test func everyCandidateRejectedLocallyEndsOverloaded() {
        var run = SessionRun()
        #expect(run.route(Fixtures.plan(chain: [Fixtures.online])) == [.runPhases, .admitAttempt(Self.primary)])
        #expect(run.admitted(.rejected(.queueFull), at: 0)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.online,
                      kind: .fallback(.triggered(.rejected(.queueFull)))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        #expect(run.admitted(.rejected(.noQueue), at: 1) == .fail(.overloaded(retryAfter: .seconds(1)), cancelTransfer: false))
        #expect(run.machine.status == 503)
        run.expectEnded()
    }

    @Test func aTimeoutAtTheDeadlineFailsWithDeadlineExceeded() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3, deadline: .seconds(2)))
        #expect(run.finished(.failed(.timeout(.total), kind: "total_timeout"), at: 2_000)
            == .fail(.deadlineExceeded, cancelTransfer: false))
        #expect(run.machine.status == 504)
        run.expectEnded()
    }

    @Test func aRejectionOrQueueExpiryPastTheDeadlineFailsWithDeadlineExceeded() {
        var rejected = SessionRun()
        #expect(rejected.route(Fixtures.plan(deadline: .seconds(2))) == [.runPhases, .admitAttempt(Self.primary)])
        #expect(rejected.admitted(.rejected(.queueFull), at: 2_500) == .fail(.deadlineExceeded, cancelTransfer: false))
        #expect(rejected.machine.status == 504)
        rejected.expectEnded()

        var queued = SessionRun()
        #expect(queued.route(Fixtures.plan(deadline: .seconds(2))) == [.runPhases, .admitAttempt(Self.primary)])
        #expect(queued.admitted(.queued, at: 0) == SessionAction.none)
        #expect(queued.queueExpired(at: 2_000) == .fail(.deadlineExceeded, cancelTransfer: false))
        queued.expectEnded()
    }

    @Test func aProvidersAnswerPastTheDeadlineIsStillDelivered() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3, deadline: .seconds(2)))
        #expect(run.head(503, stream: false, at: 2_500) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 2_510) == .finishCommitted(.complete))
        #expect(run.machine.status == 503)
        run.expectEnded()
    }

    @Test func aRetryAfterBeyondTheDeadlineFallsBackAtOnce() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 3, deadline: .seconds(10)))
        #expect(run.head(429, stream: false, retryAfter: .seconds(30), at: 1_000)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill,
                      kind: .fallback(.waitBeyondDeadline(wait: .seconds(30), remaining: .seconds(9)))))
        #expect(run.clientGone() == .abandon)
        #expect(run.machine.status == 499)
        run.expectEnded()
    }

    @Test func thePathTakenEndsWithHowTheAnsweringAttemptEndedOnEveryPath() {
        var stream = SessionRun()
        _ = stream.start(Fixtures.plan())
        _ = stream.head(503, stream: false, at: 10)
        #expect(stream.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(stream.admitted(.granted(guardsFirstToken: false), at: 10) == .send(Self.distill))
        #expect(stream.head(200, stream: true, at: 20) == .commit(truncated: false, finished: false))
        #expect(stream.finished(at: 30) == .finishCommitted(.complete))
        #expect(stream.machine.plan?.pathDescription
            == "self-hosted/deepseek-r1 503: fallback (503); self-hosted/deepseek-r1-distill-qwen-32b success: delivered")
        #expect(stream.machine.plan?.sentAttempts == 2)
        stream.expectEnded()

        var broken = SessionRun(settings: SessionRun.settings(holdBytesLimit: 10))
        _ = broken.start(Fixtures.plan())
        #expect(broken.head(200, stream: false, at: 20) == SessionAction.none)
        #expect(broken.bytes(11, at: 21) == .holdThenCommit)
        #expect(broken.finished(.failed(.brokenAfterFirstByte, kind: "broken"), at: 30)
            == .finishCommitted(.failed(.brokenAfterFirstByte, kind: "broken")))
        #expect(broken.machine.plan?.records
            == [AttemptRecord(target: Self.primary, outcome: .brokenAfterFirstByte, step: .failed(.committed(.brokenAfterFirstByte)))])
        broken.expectEnded()

        // A status the plan delivered at its head is recorded once.
        var delivered = SessionRun()
        _ = delivered.start(Fixtures.plan(chain: []))
        #expect(delivered.head(429, stream: false, at: 20) == .commit(truncated: false, finished: false))
        #expect(delivered.finished(at: 30) == .finishCommitted(.complete))
        #expect(delivered.machine.plan?.pathDescription == "self-hosted/deepseek-r1 429: delivered")
        delivered.expectEnded()
    }
}
