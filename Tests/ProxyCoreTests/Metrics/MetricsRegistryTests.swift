import Dispatch
import Testing
@testable import ProxyCore

extension MetricsTests {
    @Suite struct MetricsRegistryTests {
        @Test func seriesLookupReturnsTheSameObjectForTheSameLabelValues() {
            let registry = MetricsRegistry()
            let family = registry.counter(name: "c_total", help: "C.", labelNames: ["route", "code"])
            let first = family.series(labelValues: ["chat", "2xx"])
            #expect(family.series(labelValues: ["chat", "2xx"]) === first)
            #expect(family.series(labelValues: ["chat", "5xx"]) !== first)
            #expect(family.allSeries().count == 2)
        }

        @Test func gaugesSetAddAndSubtract() {
            let gauge = GaugeSeries()
            gauge.add()
            gauge.add(5)
            gauge.sub(2)
            #expect(gauge.value == 4)
            gauge.set(-7)
            #expect(gauge.value == -7)
            let double = DoubleGaugeSeries()
            double.add(1.5)
            double.sub(0.25)
            #expect(double.value == 1.25)
        }

        @Test func doubleCounterIgnoresNegativeAndNaNAmounts() {
            let cost = DoubleCounterSeries()
            cost.increment(by: 0.5)
            cost.increment(by: -1)
            cost.increment(by: .nan)
            #expect(cost.value == 0.5)
        }

        @Test(arguments: [
            (-1.0, 0), (0.005, 0), (0.0051, 1), (0.1, 1), (1.0, 2), (1.5, 3), (Double.infinity, 3), (Double.nan, 3),
        ])
        func histogramBucketBoundsAreInclusive(value: Double, bucket: Int) {
            #expect(HistogramSeries(upperBounds: [0.005, 0.1, 1]).bucketIndex(for: value) == bucket)
        }

        @Test func namingRulesFollowPrometheus() {
            #expect(MetricNameRules.isValidMetricName("sluice_requests_total"))
            #expect(MetricNameRules.isValidMetricName(":recorded:rate5m"))
            #expect(!MetricNameRules.isValidMetricName(""))
            #expect(!MetricNameRules.isValidMetricName("1abc"))
            #expect(!MetricNameRules.isValidMetricName("a-b"))
            #expect(!MetricNameRules.isValidMetricName("é"))
            #expect(MetricNameRules.isValidLabelName("_route1"))
            #expect(!MetricNameRules.isValidLabelName("__name__"))
            #expect(!MetricNameRules.isValidLabelName("a:b"))
            #expect(!MetricNameRules.isValidLabelName("9a"))
        }

        @Test func registeringADuplicateFamilyNameTraps() async {
            await #expect(processExitsWith: .failure) {
                let registry = MetricsRegistry()
                _ = registry.counter(name: "x_total", help: "X.")
                _ = registry.gauge(name: "x", help: "Clashes with the OpenMetrics family name of x_total.")
            }
        }

        @Test func histogramsRejectUnsortedBucketsAndTheLeLabel() async {
            await #expect(processExitsWith: .failure) {
                _ = MetricsRegistry().histogram(name: "h", help: "H.", buckets: [1, 1])
            }
            await #expect(processExitsWith: .failure) {
                _ = MetricsRegistry().histogram(name: "h", help: "H.", labelNames: ["le"], buckets: [1])
            }
        }

        @Test func concurrentUpdatesFromManyThreadsSumExactly() {
            let registry = MetricsRegistry()
            let counter = registry.counter(name: "c_total", help: "C.").series()
            let cost = registry.doubleCounter(name: "cost_total", help: "Cost.").series()
            let gauge = registry.gauge(name: "g", help: "G.").series()
            let histogram = registry.histogram(name: "h", help: "H.", buckets: [1, 2]).series()
            let threads = 8
            let perThread = 20_000
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for i in 0..<perThread {
                    counter.increment()
                    cost.increment(by: 0.5)  // exact in binary, so the total is exact
                    gauge.add(2)
                    gauge.sub(1)
                    histogram.observe(Double((thread + i) % 3))
                }
            }
            let total = UInt64(threads * perThread)
            #expect(counter.value == total)
            #expect(cost.value == Double(total) / 2)
            #expect(gauge.value == Int64(total))
            #expect(histogram.count == total)
            #expect(histogram.cumulativeCounts().last == total)
            // Small integers add exactly in any order.
            var expectedSum = 0
            var expectedAtMostOne: UInt64 = 0
            for thread in 0..<threads {
                for i in 0..<perThread {
                    let value = (thread + i) % 3
                    expectedSum += value
                    if value <= 1 { expectedAtMostOne += 1 }
                }
            }
            #expect(histogram.sum == Double(expectedSum))
            #expect(histogram.cumulativeCounts()[0] == expectedAtMostOne)
        }
    }
}
