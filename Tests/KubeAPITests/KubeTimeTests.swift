import Testing
@testable import KubeAPI

@Suite struct KubeTimeTests {
    @Test func microTimeHasSixFractionDigitsAndUTC() {
        #expect(KubeTime.microTime(epochNanoseconds: 0) == "1970-01-01T00:00:00.000000Z")
        #expect(KubeTime.microTime(epochNanoseconds: 1_767_225_600_123_456_789) == "2026-01-01T00:00:00.123456Z")
        #expect(KubeTime.time(epochNanoseconds: 951_782_400_000_000_000) == "2000-02-29T00:00:00Z")
    }

    @Test func parsingRoundTripsAndHonoursOffsets() {
        for nanos: UInt64 in [0, 951_782_400_000_000_000, 1_767_225_600_123_456_000, 4_102_444_799_999_999_000] {
            #expect(KubeTime.parse(KubeTime.microTime(epochNanoseconds: nanos)) == nanos)
        }
        #expect(KubeTime.parse("2026-01-01T02:00:00+02:00") == 1_767_225_600_000_000_000)
        #expect(KubeTime.parse("2026-01-01T00:00:00.5Z") == 1_767_225_600_500_000_000)
    }

    @Test func parsingRejectsMalformedTimes() {
        for bad in ["", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00.Z", "1969-12-31T23:59:59Z",
                    "2026-01-01T00:00:00+0200", "2026-01-01T00:00:00Zjunk"] {
            #expect(KubeTime.parse(bad) == nil, "\(bad)")
        }
    }
}
