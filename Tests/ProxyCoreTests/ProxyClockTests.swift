import Testing
@testable import ProxyCore

@Suite struct ProxyClockTests {
    @Test func advancingSaturatesInsteadOfOverflowing() {
        let late = ProxyInstant(nanoseconds: .max - 5)
        #expect(late.advanced(by: .seconds(1)).nanoseconds == .max)
    }

    @Test func durationSinceALaterInstantIsZero() {
        let a = ProxyInstant(nanoseconds: 100)
        let b = ProxyInstant(nanoseconds: 250)
        #expect(b.duration(since: a).nanoseconds == 150)
        #expect(a.duration(since: b) == .zero)
    }

    @Test func hugeDurationsSaturate() {
        #expect(ProxyDuration.seconds(.max).nanoseconds == .max)
        #expect(ProxyDuration.milliseconds(1500).nanoseconds == 1_500_000_000)
    }
}
