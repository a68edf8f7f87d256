import Testing
@testable import ProxyCore

@Suite struct TraceContextTests {
    @Test func theSpecExampleParsesAndRoundTrips() throws {
        let value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let context = try #require(TraceContext(traceparent: value))
        #expect(context.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.parentID == "00f067aa0ba902b7")
        #expect(context.flags == 1)
        #expect(context.traceparent == value)
    }

    @Test(arguments: [
        "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // too short
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 has no more fields
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    ])
    func invalidValuesAreRejected(value: String) {
        #expect(TraceContext(traceparent: value) == nil)
    }

    @Test func aLaterVersionWithExtraFieldsIsAccepted() {
        #expect(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future") != nil)
    }

    @Test func aNewTraceIsValidAndNeverAllZero() throws {
        for (a, b, c) in [(UInt64(0), UInt64(0), UInt64(0)), (1, 2, 3), (.max, .max, .max)] {
            let context = TraceContext(random: a, b, c)
            let parsed = try #require(TraceContext(traceparent: context.traceparent))
            #expect(parsed == context)
            #expect(context.flags == 0)
        }
    }

    @Test func aNewTraceWritesEachWordAsSixteenHexDigits() {
        let context = TraceContext(random: 0x0123_4567_89ab_cdef, 0xa, 0xfedc_ba98_7654_3210)
        #expect(context.traceID == "0123456789abcdef000000000000000a")
        #expect(context.parentID == "fedcba9876543210")
        #expect(context.traceparent == "00-0123456789abcdef000000000000000a-fedcba9876543210-00")
        let sampled = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(sampled?.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }
}
