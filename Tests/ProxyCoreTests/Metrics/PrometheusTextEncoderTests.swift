import Testing
@testable import ProxyCore

extension MetricsTests {
    @Suite struct PrometheusTextEncoderTests {
        /// A registry with one of each kind, with values set.
        private func sampleRegistry() -> MetricsRegistry {
            let registry = MetricsRegistry()
            let requests = registry.counter(name: "sluice_requests_total", help: "Requests received.")
            requests.series().increment(by: 42)
            let inFlight = registry.gauge(name: "sluice_backend_in_flight", help: "Requests in flight.", labelNames: ["backend"])
            inFlight.series(labelValues: ["openai"]).add(3)
            inFlight.series(labelValues: ["anthropic"]).set(-1)
            let duration = registry.histogram(
                name: "sluice_request_duration_seconds", help: "Request duration.",
                labelNames: ["route"], buckets: [0.005, 0.1, 1])
            let chat = duration.series(labelValues: ["chat"])
            for value in [0.001, 0.005, 0.05, 0.5, 2.5] { chat.observe(value) }
            return registry
        }

        @Test func textFormatListsCountersGaugesAndCumulativeHistogramBuckets() {
            let text = String(decoding: PrometheusTextEncoder.encode(sampleRegistry()), as: UTF8.self)
            #expect(text == """
                # HELP sluice_requests_total Requests received.
                # TYPE sluice_requests_total counter
                sluice_requests_total 42
                # HELP sluice_backend_in_flight Requests in flight.
                # TYPE sluice_backend_in_flight gauge
                sluice_backend_in_flight{backend="openai"} 3
                sluice_backend_in_flight{backend="anthropic"} -1
                # HELP sluice_request_duration_seconds Request duration.
                # TYPE sluice_request_duration_seconds histogram
                sluice_request_duration_seconds_bucket{route="chat",le="0.005"} 2
                sluice_request_duration_seconds_bucket{route="chat",le="0.1"} 3
                sluice_request_duration_seconds_bucket{route="chat",le="1"} 4
                sluice_request_duration_seconds_bucket{route="chat",le="+Inf"} 5
                sluice_request_duration_seconds_sum{route="chat"} 3.056
                sluice_request_duration_seconds_count{route="chat"} 5

                """)
        }

        @Test func openMetricsDeclaresCountersWithoutTotalAndEndsWithEOF() {
            let text = String(decoding: PrometheusTextEncoder.encode(sampleRegistry(), format: .openMetrics), as: UTF8.self)
            #expect(text == """
                # HELP sluice_requests Requests received.
                # TYPE sluice_requests counter
                sluice_requests_total 42
                # HELP sluice_backend_in_flight Requests in flight.
                # TYPE sluice_backend_in_flight gauge
                sluice_backend_in_flight{backend="openai"} 3
                sluice_backend_in_flight{backend="anthropic"} -1
                # HELP sluice_request_duration_seconds Request duration.
                # TYPE sluice_request_duration_seconds histogram
                sluice_request_duration_seconds_bucket{route="chat",le="0.005"} 2
                sluice_request_duration_seconds_bucket{route="chat",le="0.1"} 3
                sluice_request_duration_seconds_bucket{route="chat",le="1.0"} 4
                sluice_request_duration_seconds_bucket{route="chat",le="+Inf"} 5
                sluice_request_duration_seconds_sum{route="chat"} 3.056
                sluice_request_duration_seconds_count{route="chat"} 5
                # EOF

                """)
        }

        @Test func helpEscapesBackslashAndNewlineAndLabelValuesAlsoEscapeQuotes() {
            let registry = MetricsRegistry()
            let family = registry.gauge(name: "g", help: "a \\ b\nc \"q\" é", labelNames: ["model", "consumer"])
            family.series(labelValues: ["gpt-\"4o\"\\mini\nx", "zoë 日本"]).set(1)
            let text = String(decoding: PrometheusTextEncoder.encode(registry), as: UTF8.self)
            #expect(text == #"""
                # HELP g a \\ b\nc "q" é
                # TYPE g gauge
                g{model="gpt-\"4o\"\\mini\nx",consumer="zoë 日本"} 1

                """#)
            let openMetrics = String(decoding: PrometheusTextEncoder.encode(registry, format: .openMetrics), as: UTF8.self)
            #expect(openMetrics.hasPrefix(#"# HELP g a \\ b\nc \"q\" é"# + "\n"))
        }

        @Test func seriesAppearInCreationOrderAndFamiliesInRegistrationOrder() {
            let registry = MetricsRegistry()
            let b = registry.counter(name: "b_total", help: "B.", labelNames: ["k"])
            let a = registry.counter(name: "a_total", help: "A.")
            b.series(labelValues: ["z"]).increment()
            b.series(labelValues: ["y"]).increment(by: 2)
            a.series().increment(by: 0)
            let lines = String(decoding: PrometheusTextEncoder.encode(registry), as: UTF8.self)
                .split(separator: "\n").filter { !$0.hasPrefix("#") }
            #expect(lines == [#"b_total{k="z"} 1"#, #"b_total{k="y"} 2"#, "a_total 0"])
        }

        @Test func doubleCountersAndGaugesAndCallbacksUseTheFloatFormat() {
            let registry = MetricsRegistry()
            let cost = registry.doubleCounter(name: "sluice_cost_dollars_total", help: "Cost.", labelNames: ["model"])
            cost.series(labelValues: ["m"]).increment(by: 0.25)
            cost.series(labelValues: ["m"]).increment(by: 0.5)
            registry.doubleGauge(name: "ratio", help: "R.").series().set(0.1)
            registry.registerCallbackGauge(name: "process_resident_memory_bytes", help: "RSS.") { 8_650_752 }
            registry.registerCallbackCounter(name: "process_cpu_seconds_total", help: "CPU.") { 1.5 }
            let text = String(decoding: PrometheusTextEncoder.encode(registry, format: .openMetrics), as: UTF8.self)
            #expect(text == """
                # HELP sluice_cost_dollars Cost.
                # TYPE sluice_cost_dollars counter
                sluice_cost_dollars_total{model="m"} 0.75
                # HELP ratio R.
                # TYPE ratio gauge
                ratio 0.1
                # HELP process_resident_memory_bytes RSS.
                # TYPE process_resident_memory_bytes gauge
                process_resident_memory_bytes 8650752
                # HELP process_cpu_seconds CPU.
                # TYPE process_cpu_seconds counter
                process_cpu_seconds_total 1.5
                # EOF

                """)
        }

        @Test func aFamilyWithoutSeriesStillDeclaresItself() {
            let registry = MetricsRegistry()
            _ = registry.histogram(name: "h", help: "H.", labelNames: ["route"], buckets: [1])
            #expect(PrometheusTextEncoder.encode(registry) == Array("# HELP h H.\n# TYPE h histogram\n".utf8))
        }

        @Test func encodingAppendsToTheGivenBuffer() {
            let registry = MetricsRegistry()
            registry.counter(name: "c_total", help: "C.").series().increment()
            var buffer = Array("HTTP/1.1 200 OK\r\n\r\n".utf8)
            PrometheusTextEncoder.encode(registry, into: &buffer)
            #expect(buffer == Array("HTTP/1.1 200 OK\r\n\r\n# HELP c_total C.\n# TYPE c_total counter\nc_total 1\n".utf8))
        }
    }
}
