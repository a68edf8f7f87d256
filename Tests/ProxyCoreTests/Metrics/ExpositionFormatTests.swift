import Testing
@testable import ProxyCore

extension MetricsTests {
    @Suite struct ExpositionFormatTests {
        @Test func prometheusScrapeAcceptHeaderGetsOpenMetrics() {
            let accept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
            #expect(ExpositionFormat.negotiate(accept: accept) == .openMetrics)
            #expect(ExpositionFormat.negotiate(accept: "Application/OpenMetrics-Text; Version=1.0.0") == .openMetrics)
        }

        @Test func missingOrGenericOrTextAcceptGetsPrometheusText() {
            #expect(ExpositionFormat.negotiate(accept: nil) == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "") == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "*/*") == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "text/plain;version=0.0.4") == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "garbage;;;=,") == .prometheusText)
        }

        @Test func weightsDecideAndUnsupportedVersionsOrZeroWeightsAreSkipped() {
            #expect(ExpositionFormat.negotiate(accept: "text/plain;q=0.9, application/openmetrics-text;q=0.5") == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "text/plain;q=0.4, application/openmetrics-text;q=0.5") == .openMetrics)
            #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;version=2.0.0") == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;q=0") == .prometheusText)
            #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text;q=1.000, */*;q=0.999") == .openMetrics)
        }

        @Test func contentTypesNameTheVersions() {
            #expect(ExpositionFormat.prometheusText.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(ExpositionFormat.openMetrics.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        }
    }
}
