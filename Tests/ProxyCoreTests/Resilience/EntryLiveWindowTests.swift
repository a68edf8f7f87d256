import Testing
@testable import ProxyCore

/// The live window of a registry entry: time to first token, error rate, output speed.
@Suite struct EntryLiveWindowTests {
    @Test func figuresCountOnlyFromTheMinimumSampleCount() {
        let window = EntryLiveWindow()
        let now = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<(EntryLiveWindow.minSamples - 1) { window.recordFirstToken(.milliseconds(120), at: now) }
        #expect(window.figures(at: now) == nil)
        window.recordFirstToken(.milliseconds(120), at: now)
        let figures = window.figures(at: now)
        #expect(figures?.samples == Int(EntryLiveWindow.minSamples))
        // All in the 100–250 ms bucket.
        #expect(figures.map { $0.p50 >= .milliseconds(100) && $0.p95 <= .milliseconds(250) } == true)
    }

    @Test func p95FollowsTheSlowTailAndP50TheBulk() throws {
        let window = EntryLiveWindow()
        let now = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<90 { window.recordFirstToken(.milliseconds(40), at: now) }
        for _ in 0..<10 { window.recordFirstToken(.milliseconds(4_000), at: now) }
        let figures = try #require(window.figures(at: now))
        #expect(figures.p50 < .milliseconds(50))
        #expect(figures.p95 > .milliseconds(3_000) && figures.p95 <= .milliseconds(5_000))
    }

    @Test func samplesLeaveTheWindowAfterAMinute() {
        let window = EntryLiveWindow()
        let start = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<20 { window.recordFirstToken(.seconds(3), at: start) }
        #expect(window.figures(at: start.advanced(by: .seconds(50))) != nil)
        #expect(window.figures(at: start.advanced(by: .seconds(61))) == nil)
        // A slice reused for a later epoch starts from zero.
        window.recordFirstToken(.milliseconds(10), at: start.advanced(by: .seconds(60)))
        #expect(window.figures(at: start.advanced(by: .seconds(60))) == nil)
    }

    @Test func theErrorRateCountsFromTheMinimumAttemptsAndAgesOut() {
        let window = EntryLiveWindow()
        let start = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<6 { window.recordAttempt(.answered, at: start) }
        for _ in 0..<3 { window.recordAttempt(.failed, at: start) }
        #expect(window.traffic(at: start).errorRate == nil, "9 attempts are too few")
        window.recordAttempt(.failed, at: start.advanced(by: .seconds(20)))
        let traffic = window.traffic(at: start.advanced(by: .seconds(20)))
        #expect(traffic.attempts == 10 && traffic.errorRate == 0.4)
        // The first nine leave the window; the late failure stays, alone.
        #expect(window.traffic(at: start.advanced(by: .seconds(65))).attempts == 1)
        #expect(window.traffic(at: start.advanced(by: .seconds(65))).errorRate == nil)
    }

    @Test func outputSpeedIsTokensOverGenerationTimeOfStreams() throws {
        let window = EntryLiveWindow()
        let now = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<5 { window.recordGeneration(outputTokens: 100, took: .seconds(2), at: now) }
        for _ in 0..<5 { window.recordGeneration(outputTokens: 300, took: .seconds(2), at: now) }
        window.recordGeneration(outputTokens: 0, took: .seconds(1), at: now)  // nothing generated: not a sample
        let traffic = window.traffic(at: now)
        #expect(traffic.streams == 10)
        // 2,000 tokens over 20 s.
        #expect(try #require(traffic.outputTokensPerSecond) == 100)
        #expect(window.figures(at: now) == nil, "the time-to-first-token histogram is separate")
    }
}
