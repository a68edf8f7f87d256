import Testing
@testable import ProxyCore

/// Held responses and truncation: a whole JSON body, a stream's first part, the byte limit,
/// and the re-send of a truncated answer to the next fallback.
extension SessionStateMachineTests {
    /// The default triggers plus truncation.
    static let truncating = FallbackTriggers(statuses: [.code(429), .statusClass(5)], connectFailure: true, timeout: true,
                                             truncation: true)
    /// A route that falls back on truncation and holds a stream's first 2s.
    static let buffering = SessionRun.settings(bufferStreams: .seconds(2), truncationFallback: true)

    @Test func aJSONAnswerCutOffAtTheTokenLimitIsSentToTheNextFallback() {
        var run = SessionRun(settings: SessionRun.settings(truncationFallback: true))
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: false, at: 100) == SessionAction.none)
        #expect(run.bytes(300, at: 400) == .hold)
        #expect(run.finished(.complete, verdict: .tokenLimit, at: 500)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.distill, kind: .fallback(.triggered(.truncated))))
        #expect(run.machine.status == 0)
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 500) == .send(Self.distill))
        #expect(run.head(200, stream: false, at: 600) == SessionAction.none)
        #expect(run.bytes(300, at: 900) == .hold)
        #expect(run.finished(.complete, verdict: .complete, at: 901) == .commit(truncated: false, finished: true))
        #expect(run.machine.plan?.records.map(\.outcome) == [.truncated, .success])
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test func aJSONAnswerCutOffIsDeliveredMarkedWhenTheRouteDoesNotFallBackOnTruncation() {
        var run = SessionRun()
        _ = run.start(Fixtures.plan())
        #expect(run.head(200, stream: false, at: 100) == SessionAction.none)
        #expect(run.bytes(300, at: 400) == .hold)
        #expect(run.finished(.complete, verdict: .tokenLimit, at: 500) == .commit(truncated: true, finished: true))
        #expect(run.machine.status == 200)
        #expect(run.machine.attempts == 1)
        run.expectEnded()
    }

    @Test func aTruncatedAnswerWithNoFallbackLeftIsDeliveredMarked() {
        var run = SessionRun(settings: SessionRun.settings(truncationFallback: true))
        _ = run.start(Fixtures.plan(chain: [Fixtures.online], triggers: Self.truncating, attempts: 3))
        #expect(run.head(200, stream: false, at: 100) == SessionAction.none)
        // Truncation is never retried on the same target, retries left or not.
        #expect(run.finished(.complete, verdict: .tokenLimit, at: 500)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.online, kind: .fallback(.triggered(.truncated))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.online))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 500) == .send(Self.online))
        #expect(run.head(200, stream: false, at: 600) == SessionAction.none)
        #expect(run.finished(.complete, verdict: .tokenLimit, at: 900) == .commit(truncated: true, finished: true))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test func aHeldJSONBodyOverTheByteLimitIsCommittedAndCanNoLongerFallBack() {
        var run = SessionRun(settings: SessionRun.settings(holdBytesLimit: 1_000, truncationFallback: true))
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: false, at: 100) == SessionAction.none)
        #expect(run.bytes(400, at: 110) == .hold)
        // Exactly the limit is still held: it is the most bytes held.
        #expect(run.bytes(600, at: 120) == .hold)
        #expect(run.machine.status == 0)
        #expect(run.bytes(1, writable: false, at: 130) == .holdThenCommit)
        #expect(run.machine.state == .committed(eventStream: false))
        #expect(run.machine.status == 200)
        #expect(run.bytes(100, writable: false, at: 140) == .pauseWithoutConsuming)
        #expect(run.clientWritable() == .resumeUpstream)
        #expect(run.bytes(100, at: 150) == .pass)
        #expect(run.finished(.complete, verdict: .tokenLimit, at: 160) == .finishCommitted(.complete))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test func aStreamPrefixIsHeldUntilItsDeadlineThenCommitted() {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: true, at: 100) == .armHoldDeadline(SessionRun.at(2_100)))
        #expect(run.machine.state == .holding(.streamPrefix(until: SessionRun.at(2_100))))
        #expect(run.bytes(100, at: 1_000) == .hold)
        #expect(run.bytes(100, at: 2_099) == .hold)
        #expect(run.bytes(100, at: 2_100) == .holdThenCommit)
        #expect(run.machine.state == .committed(eventStream: true))
        #expect(run.machine.status == 200)
        run.expectPassesWhileWritableAndPausesOtherwise(from: 2_200)
        // Too late to fall back: the stream ends as it ends.
        #expect(run.finished(.complete, verdict: .cutOff, at: 3_000) == .finishCommitted(.complete))
        run.expectEnded()
    }

    /// Before the deadline was armed, a provider that went quiet after its first bytes kept them
    /// (and the head) from the client until its next byte, however late.
    @Test func aStreamPrefixIsCommittedAtItsDeadlineWhenTheProviderGoesQuiet() {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: true, at: 100) == .armHoldDeadline(SessionRun.at(2_100)))
        #expect(run.bytes(100, at: 200) == .hold)
        // A timer that fires early (a stale one) changes nothing.
        #expect(run.holdDeadlinePassed(at: 2_099) == SessionAction.none)
        #expect(run.holdDeadlinePassed(at: 2_100) == .commit(truncated: false, finished: false))
        #expect(run.machine.state == .committed(eventStream: true))
        #expect(run.holdDeadlinePassed(at: 2_200) == SessionAction.none)
        run.expectPassesWhileWritableAndPausesOtherwise(from: 30_000)
        #expect(run.finished(.complete, verdict: .complete, at: 31_000) == .finishCommitted(.complete))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test func aHoldDeadlineIsIgnoredOutsideAStreamPrefixHold() {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.holdDeadlinePassed(at: 50_000) == SessionAction.none)
        #expect(run.head(200, stream: false, at: 100) == SessionAction.none)
        #expect(run.holdDeadlinePassed(at: 50_000) == SessionAction.none)
        #expect(run.machine.state == .holding(.wholeBody))
        #expect(run.finished(.complete, verdict: .complete, at: 50_001) == .commit(truncated: false, finished: true))
        run.expectEnded()
    }

    @Test func aStreamPrefixIsCommittedWhenItOutgrowsTheByteLimit() {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: true, at: 100) == .armHoldDeadline(SessionRun.at(2_100)))
        #expect(run.bytes(900, at: 200) == .hold)
        #expect(run.bytes(200, at: 300) == .holdThenCommit)
        #expect(run.machine.state == .committed(eventStream: true))
        #expect(run.bytes(200, at: 400) == .pass)
        #expect(run.finished(.failed(.brokenAfterFirstByte, kind: "broken"), at: 500)
            == .finishCommitted(.failed(.brokenAfterFirstByte, kind: "broken")))
        #expect(run.machine.status == 200)
        run.expectEnded()
    }

    @Test(arguments: [TruncationVerdict.cutOff, .tokenLimit])
    func aStreamThatEndsTruncatedWithinItsPrefixIsSentToTheNextFallback(verdict: TruncationVerdict) {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: true, at: 100) == .armHoldDeadline(SessionRun.at(2_100)))
        #expect(run.bytes(300, at: 500) == .hold)
        #expect(run.finished(.complete, verdict: verdict, at: 800)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.distill, kind: .fallback(.triggered(.truncated))))
        #expect(run.retryTimerFired() == .admitAttempt(Self.distill))
        #expect(run.admitted(.granted(guardsFirstToken: false), at: 800) == .send(Self.distill))
        #expect(run.head(200, stream: true, at: 900) == .armHoldDeadline(SessionRun.at(2_900)))
        #expect(run.machine.state == .holding(.streamPrefix(until: SessionRun.at(2_900))))
        #expect(run.bytes(300, at: 1_000) == .hold)
        // The whole stream arrived within its prefix, whole: it goes out in one piece.
        #expect(run.finished(.complete, verdict: .complete, at: 1_100) == .commit(truncated: false, finished: true))
        #expect(run.machine.status == 200)
        #expect(run.machine.attempts == 2)
        run.expectEnded()
    }

    @Test func aStreamPrefixThatBreaksFallsBack() {
        var run = SessionRun(settings: Self.buffering)
        _ = run.start(Fixtures.plan(triggers: Self.truncating))
        #expect(run.head(200, stream: true, at: 100) == .armHoldDeadline(SessionRun.at(2_100)))
        #expect(run.bytes(300, at: 500) == .hold)
        #expect(run.finished(.failed(.brokenAfterFirstByte, kind: "broken"), at: 800)
            == .retry(after: .zero, cancelTransfer: false, from: Self.primary, to: Self.distill,
                      kind: .fallback(.triggered(.brokenAfterFirstByte))))
        #expect(run.clientGone() == .abandon)
        #expect(run.machine.status == 499)
        run.expectEnded()
    }

    @Test func aStreamIsNotHeldForTruncationWhenTheRouteDoesNotFallBackOnIt() {
        var run = SessionRun(settings: SessionRun.settings(bufferStreams: .seconds(2), truncationFallback: false))
        _ = run.start(Fixtures.plan())
        #expect(run.head(200, stream: true, at: 100) == .commit(truncated: false, finished: false))
        #expect(run.finished(at: 200) == .finishCommitted(.complete))
        run.expectEnded()
    }
}
