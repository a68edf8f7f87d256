import Testing
@testable import ProxyCore

/// The live time-to-first-token window of a registry entry.
@Suite struct LatencyWindowTests {
    @Test func figuresCountOnlyFromTheMinimumSampleCount() {
        let window = LatencyWindow()
        let now = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<(LatencyWindow.minSamples - 1) { window.record(.milliseconds(120), at: now) }
        #expect(window.figures(at: now) == nil)
        window.record(.milliseconds(120), at: now)
        let figures = window.figures(at: now)
        #expect(figures?.samples == Int(LatencyWindow.minSamples))
        // All in the 100–250 ms bucket.
        #expect(figures.map { $0.p50 >= .milliseconds(100) && $0.p95 <= .milliseconds(250) } == true)
    }

    @Test func p95FollowsTheSlowTailAndP50TheBulk() throws {
        let window = LatencyWindow()
        let now = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<90 { window.record(.milliseconds(40), at: now) }
        for _ in 0..<10 { window.record(.milliseconds(4_000), at: now) }
        let figures = try #require(window.figures(at: now))
        #expect(figures.p50 < .milliseconds(50))
        #expect(figures.p95 > .milliseconds(3_000) && figures.p95 <= .milliseconds(5_000))
    }

    @Test func samplesLeaveTheWindowAfterAMinute() {
        let window = LatencyWindow()
        let start = ProxyInstant(nanoseconds: 500_000_000_000)
        for _ in 0..<20 { window.record(.seconds(3), at: start) }
        #expect(window.figures(at: start.advanced(by: .seconds(50))) != nil)
        #expect(window.figures(at: start.advanced(by: .seconds(61))) == nil)
        // A slice reused for a later epoch starts from zero.
        window.record(.milliseconds(10), at: start.advanced(by: .seconds(60)))
        #expect(window.figures(at: start.advanced(by: .seconds(60))) == nil)
    }
}
