import Testing
@testable import ProxyCore

/// The first-token timeout: a 2xx stream (or JSON body) is held until its first token, so that
/// a provider that answers the head at once and the first token late can still be failed over.
extension SessionStateMachineTests {
    @Test func aStreamGuardedByAFirstTokenTimerIsHeldUntilItsFirstToken() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.machine.state == .holding(.firstToken))
        // `: keep-alive` comments: held, nothing reaches the client.
        #expect(run.bytes(14, at: 1_000) == .hold)
        #expect(run.bytes(14, writable: false, at: 2_000) == .hold)
        #expect(run.machine.firstTokenAt == nil)
        #expect(run.firstToken(at: 3_100) == .commit(truncated: false, finished: false))
        #expect(run.machine.firstTokenAt == SessionRun.at(3_100))
        #expect(run.machine.state == .committed(eventStream: true))
        #expect(run.machine.status == 200)
        #expect(run.firstTokenTimerFired(at: 3_200) == SessionAction.none)
        run.expectPassesWhileWritableAndPausesOtherwise(from: 3_300)
        #expect(run.finished(at: 4_000) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func withStreamBufferingTheFirstTokenMovesAGuardedStreamToItsPrefixHold() {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.machine.state == .holding(.firstToken))
        #expect(run.bytes(14, at: 1_000) == .hold)
        #expect(run.firstToken(at: 3_100) == .armHoldDeadline(SessionRun.at(5_100)))
        // The prefix is measured from the first token, not from the head.
        #expect(run.machine.state == .holding(.streamPrefix(until: SessionRun.at(5_100))))
        #expect(run.firstTokenTimerFired(at: 3_200) == SessionAction.none)
        #expect(run.bytes(100, at: 4_000) == .hold)
        #expect(run.bytes(100, at: 5_100) == .holdThenCommit)
        #expect(run.finished(at: 6_000) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func theFirstTokenTimerFailsOverAHeldStreamBeforeItsToken() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.bytes(14, at: 500) == .hold)
        #expect(run.firstTokenTimerFired(at: 1_000)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.timeout(.firstToken)))))
        #expect(run.machine.plan?.records.first?.outcome == .timeout(.firstToken))
        #expect(run.machine.status == 0)
        // The cancelled transfer's leftovers are dropped; the comment's token never counts.
        #expect(run.bytes(14, at: 1_001) == .discard)
        #expect(run.firstToken(at: 1_002) == SessionAction.none)
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: true), at: 1_000) == .send(Self.distill))
        #expect(run.head(200, stream: true, at: 1_100) == SessionAction.none)
        #expect(run.machine.state == .holding(.firstToken))
        #expect(run.firstToken(at: 1_300) == .commit(truncated: false, finished: false))
        #expect(run.machine.firstTokenAt == SessionRun.at(1_300))
        #expect(run.finished(at: 2_000) == .finishCommitted(.complete))
        #expect(run.machine.attempts == 2)
        run.expectEnded()
    }

    @Test func theFirstTokenTimerFailsOverBeforeTheHead() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(chain: [Fixtures.online]), guardsFirstToken: true)
        #expect(run.firstTokenTimerFired(at: 1_000)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.online,
                      kind: .fallback(.triggered(.timeout(.firstToken)))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        // The fallback has no first-token timer: its stream is committed at its head.
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 1_000) == .send(Self.online))
        #expect(run.head(200, stream: true, at: 1_100) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 2_000) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func theFirstTokenTimerIsRetriedOnTheSameTargetWhileRetriesAreLeft() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(attempts: 2), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.firstTokenTimerFired(at: 1_000)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.primary, kind: .retry))
        #expect(run.clientGone() == .abandon)
        run.expectEnded()
    }

    @Test func theFirstTokenTimerWithNothingLeftFailsWith504() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(chain: []), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.firstTokenTimerFired(at: 1_000) == .fail(.upstream(.timeout(.firstToken)), cancelTransfer: true))
        #expect(run.machine.status == 504)
        run.expectEnded()
    }

    @Test func aFirstTokenTimerIsIgnoredWhenTheCurrentAttemptHasNone() {
        // Say the first attempt's timer was not disarmed in time: it must not fail over the second.
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating), guardsFirstToken: true)
        #expect(run.head(503, stream: false, at: 100)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.status(503, retryAfter: nil)))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 100) == .send(Self.distill))
        #expect(run.firstTokenTimerFired(at: 200) == SessionAction.none)
        #expect(run.head(200, stream: true, at: 300) == .armHoldDeadline(SessionRun.at(2_300)))
        #expect(run.machine.state == .holding(.streamPrefix(until: SessionRun.at(2_300))))
        #expect(run.firstTokenTimerFired(at: 400) == SessionAction.none)
        #expect(run.machine.state == .holding(.streamPrefix(until: SessionRun.at(2_300))))
        #expect(run.finished(at: 500) == .commit(truncated: false, finished: true))
        run.expectEnded()

        var json = SessionRun()
        _ = json.start(Fixtures.plan())
        #expect(json.head(200, stream: false, at: 100) == SessionAction.none)
        #expect(json.firstTokenTimerFired(at: 400) == SessionAction.none)
        #expect(json.finished(at: 500) == .commit(truncated: false, finished: true))
        json.expectEnded()
    }

    @Test func aGuardedStreamOverTheByteLimitIsCommittedBeforeItsToken() {
        var run = SessionRun(settings: SessionRun.settings(holdBytesLimit: 1_000))
        _ = run.start(Fixtures.plan(), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.bytes(600, at: 200) == .hold)
        #expect(run.bytes(600, at: 300) == .holdThenCommit)
        #expect(run.machine.state == .committed(eventStream: true))
        // The head went out: the timer can no longer fail over.
        #expect(run.firstTokenTimerFired(at: 1_000) == SessionAction.none)
        #expect(run.firstToken(at: 1_100) == SessionAction.none)
        #expect(run.machine.firstTokenAt == SessionRun.at(1_100))
        #expect(run.finished(at: 2_000) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func aGuardedJSONAnswerIsHeldWholeAndItsTimerFailsOverWhileOnlyBlankLinesCame() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(), guardsFirstToken: true)
        #expect(run.head(200, stream: false, at: 100) == SessionAction.none)
        #expect(run.machine.state == .holding(.wholeBody))
        #expect(run.bytes(2, at: 500) == .hold)
        #expect(run.firstTokenTimerFired(at: 1_000)
            == .retry(after: .zero, cancelTransfer: true, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.timeout(.firstToken)))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: true), at: 1_000) == .send(Self.distill))
        #expect(run.head(200, stream: false, at: 1_100) == SessionAction.none)
        #expect(run.bytes(300, at: 1_200) == .hold)
        // A JSON body's first token does not commit it: it is still read whole.
        #expect(run.firstToken(at: 1_200) == SessionAction.none)
        #expect(run.machine.state == .holding(.wholeBody))
        #expect(run.firstTokenTimerFired(at: 2_000) == SessionAction.none)
        #expect(run.finished(at: 2_100) == .commit(truncated: false, finished: true))
        #expect(run.machine.firstTokenAt == SessionRun.at(1_200))
        run.expectEnded()
    }

    @Test func aFirstTokenBeforeAnyHeadIsIgnored() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(), guardsFirstToken: true)
        #expect(run.firstToken(at: 50) == SessionAction.none)
        #expect(run.machine.firstTokenAt == nil)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.firstToken(at: 150) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 200) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test func anUnguardedStreamNotesItsFirstTokenOnceAfterItsCommit() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan())
        #expect(run.head(200, stream: true, at: 100) == .commit(truncated: false, finished: false))
        #expect(run.firstToken(at: 500) == SessionAction.none)
        #expect(run.firstToken(at: 600) == SessionAction.none)
        #expect(run.machine.firstTokenAt == SessionRun.at(500))
        #expect(run.finished(at: 700) == .finishCommitted(.complete))
        run.expectEnded()
    }

    @Test(arguments: [(TruncationVerdict.complete, false), (.cutOff, true)])
    func aGuardedStreamThatEndsBeforeAnyTokenIsJudgedWhole(verdict: TruncationVerdict, truncated: Bool) {
        var run = SessionRun()
        _ = run.start(Fixtures.plan(), guardsFirstToken: true)
        #expect(run.head(200, stream: true, at: 100) == SessionAction.none)
        #expect(run.bytes(14, at: 200) == .hold)
        #expect(run.finished(.complete, verdict: verdict, at: 300) == .commit(truncated: truncated, finished: true))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }
}
