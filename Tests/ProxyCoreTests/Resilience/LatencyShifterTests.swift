import Testing
@testable import ProxyCore

extension ResilienceTests {
    @Suite struct LatencyShifterTests {
        static func at(_ milliseconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: 9_000_000_000 + milliseconds * 1_000_000) }
        static let config = LatencyShiftConfig(p95Above: .seconds(3), window: .seconds(60), weightPercent: 10, cooldown: .seconds(300))

        @Test func theP95IsInterpolatedInsideItsBucket() {
            var shifter = LatencyShifter(config: LatencyShiftConfig(p95Above: .seconds(100)), minSamples: 20)
            // 100 samples: 90 fast (10ms), 10 between 1s and 2s. Rank 95 is the 5th of 10 in [1000, 2000).
            for index in 0..<90 { shifter.record(timeToFirstByte: .milliseconds(10), at: Self.at(UInt64(index))) }
            for index in 0..<10 { shifter.record(timeToFirstByte: .milliseconds(1500), at: Self.at(100 + UInt64(index))) }
            #expect(shifter.p95(at: Self.at(200)) == .milliseconds(1500))
            #expect(LatencyShifter(config: Self.config).p95(at: Self.at(0)) == nil)
        }

        @Test func aSlowP95ShiftsTheWeightForTheCooldownThenRestoresIt() {
            var shifter = LatencyShifter(config: Self.config, minSamples: 20)
            for index in 0..<18 { shifter.record(timeToFirstByte: .milliseconds(800), at: Self.at(UInt64(index) * 100)) }
            for index in 0..<2 { shifter.record(timeToFirstByte: .seconds(8), at: Self.at(2_000 + UInt64(index))) }
            // 2 slow of 20: the p95 is in the 5-10s bucket.
            #expect(shifter.isShifted(at: Self.at(2_001)))
            #expect(shifter.effectiveWeightPercent(at: Self.at(2_001)) == 10)
            #expect(shifter.shifts == 1)
            #expect(shifter.effectiveWeightPercent(at: Self.at(302_000)) == 10)
            #expect(shifter.effectiveWeightPercent(at: Self.at(302_001)) == 100)
        }

        @Test func aFastBackendIsNeverShiftedAndFewSamplesDoNotJudge() {
            var shifter = LatencyShifter(config: Self.config, minSamples: 20)
            for index in 0..<500 { shifter.record(timeToFirstByte: .milliseconds(900), at: Self.at(UInt64(index) * 10)) }
            #expect(shifter.effectiveWeightPercent(at: Self.at(5_000)) == 100)
            var few = LatencyShifter(config: Self.config, minSamples: 20)
            for index in 0..<19 { few.record(timeToFirstByte: .seconds(30), at: Self.at(UInt64(index))) }
            #expect(few.effectiveWeightPercent(at: Self.at(20)) == 100)
        }

        @Test func slowSamplesOutsideTheWindowAreForgotten() {
            var shifter = LatencyShifter(config: Self.config, minSamples: 20)
            for index in 0..<19 { shifter.record(timeToFirstByte: .seconds(10), at: Self.at(UInt64(index))) }
            // 70 s later the slow samples have left the 60 s window.
            for index in 0..<20 { shifter.record(timeToFirstByte: .milliseconds(100), at: Self.at(70_000 + UInt64(index))) }
            #expect(shifter.shifts == 0)
        }

        @Test func aShiftStillSlowWhenItEndsShiftsAgain() {
            var shifter = LatencyShifter(config: LatencyShiftConfig(p95Above: .seconds(3), window: .seconds(60), weightPercent: 0,
                                                                    cooldown: .seconds(60)), minSamples: 5)
            for index in 0..<5 { shifter.record(timeToFirstByte: .seconds(5), at: Self.at(UInt64(index))) }
            #expect(shifter.effectiveWeightPercent(at: Self.at(10)) == 0)
            // Samples during the shift (the backend still gets probes and in-flight answers).
            for index in 0..<5 { shifter.record(timeToFirstByte: .seconds(5), at: Self.at(40_000 + UInt64(index))) }
            #expect(shifter.shifts == 1)
            shifter.record(timeToFirstByte: .seconds(5), at: Self.at(60_004))
            #expect(shifter.shifts == 2)
            #expect(shifter.isShifted(at: Self.at(100_000)))
        }
    }
}
