import Testing
@testable import ProxyCore

extension MetricsTests {
    @Suite struct MetricNumberFormatTests {
        private func format(_ value: Double) -> String {
            var buffer: [UInt8] = []
            MetricNumberFormat.append(value, to: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }

        @Test(arguments: [
            (42.0, "42"), (0.0, "0"), (-0.0, "0"), (-3.0, "-3"), (1.0, "1"),
            (0.005, "0.005"), (0.1, "0.1"), (2.5, "2.5"), (0.1 + 0.2, "0.30000000000000004"),
            (1e-05, "1e-05"), (123456.789, "123456.789"),
            (1e15, "1000000000000000"), (9007199254740993.0, "9007199254740992"),
            (1e16, "10000000000000000"), (1e19, "1e+19"), (-1.5e300, "-1.5e+300"),
            (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"),
        ])
        func floatsPrintAsIntegersWhenExactAndShortestRoundTripOtherwise(value: Double, expected: String) {
            #expect(format(value) == expected)
            if value.isFinite { #expect(Double(format(value)) == value) }
        }

        @Test func integersPrintInDecimalAtTheirLimits() {
            var buffer: [UInt8] = []
            MetricNumberFormat.append(UInt64.max, to: &buffer)
            buffer.append(UInt8(ascii: " "))
            MetricNumberFormat.append(Int64.min, to: &buffer)
            buffer.append(UInt8(ascii: " "))
            MetricNumberFormat.append(UInt64(0), to: &buffer)
            #expect(String(decoding: buffer, as: UTF8.self) == "18446744073709551615 -9223372036854775808 0")
        }

        @Test(arguments: [
            (0.005, false, "0.005"), (1.0, false, "1"), (10.0, false, "10"), (Double.infinity, false, "+Inf"),
            (0.005, true, "0.005"), (1.0, true, "1.0"), (10.0, true, "10.0"), (1e-05, true, "1e-05"), (Double.infinity, true, "+Inf"),
        ])
        func bucketBoundsGainPointZeroOnlyInOpenMetrics(bound: Double, openMetrics: Bool, expected: String) {
            var buffer: [UInt8] = []
            MetricNumberFormat.appendBound(bound, openMetrics: openMetrics, to: &buffer)
            #expect(String(decoding: buffer, as: UTF8.self) == expected)
        }
    }
}
