/// Writes a registry in the Prometheus text format 0.0.4 or OpenMetrics 1.0 text.
///
/// Families appear in registration order and series in creation order, so successive
/// scrapes of the same process list samples in the same order (and golden tests are
/// stable) without sorting on every scrape. Output is UTF-8 bytes appended to a buffer.
///
/// Thread-safe: may run on any thread while other threads update series; each value is
/// read atomically, but a scrape is not a snapshot across series.
package enum PrometheusTextEncoder {
    /// Appends the exposition of every family of `registry` to `buffer`.
    ///
    /// Called off the hot path (once per scrape); allocates. Callback metrics are
    /// evaluated here, with no registry lock held.
    package static func encode(_ registry: MetricsRegistry, format: ExpositionFormat = .prometheusText, into buffer: inout [UInt8]) {
        let openMetrics = format == .openMetrics
        for entry in registry.entries() {
            switch entry {
            case .counter(let family):
                appendHeader(family, type: "counter", openMetrics: openMetrics, to: &buffer)
                for (labelValues, series) in family.allSeries() {
                    appendSampleStart(family.name, family.labelNames, labelValues, to: &buffer)
                    MetricNumberFormat.append(series.value, to: &buffer)
                    buffer.append(UInt8(ascii: "\n"))
                }
            case .doubleCounter(let family):
                appendHeader(family, type: "counter", openMetrics: openMetrics, to: &buffer)
                for (labelValues, series) in family.allSeries() {
                    appendSample(family.name, family.labelNames, labelValues, series.value, to: &buffer)
                }
            case .gauge(let family):
                appendHeader(family, type: "gauge", openMetrics: openMetrics, to: &buffer)
                for (labelValues, series) in family.allSeries() {
                    appendSampleStart(family.name, family.labelNames, labelValues, to: &buffer)
                    MetricNumberFormat.append(series.value, to: &buffer)
                    buffer.append(UInt8(ascii: "\n"))
                }
            case .doubleGauge(let family):
                appendHeader(family, type: "gauge", openMetrics: openMetrics, to: &buffer)
                for (labelValues, series) in family.allSeries() {
                    appendSample(family.name, family.labelNames, labelValues, series.value, to: &buffer)
                }
            case .histogram(let family):
                appendHeader(family, type: "histogram", openMetrics: openMetrics, to: &buffer)
                for (labelValues, series) in family.allSeries() {
                    appendHistogram(family, labelValues, series, openMetrics: openMetrics, to: &buffer)
                }
            case .callback(let metric):
                let type = metric.kind == .counter ? "counter" : "gauge"
                appendHeader(name: metric.name, help: metric.help, type: type, openMetrics: openMetrics, to: &buffer)
                appendSample(metric.name, [], [], metric.read(), to: &buffer)
            }
        }
        if openMetrics {
            buffer.append(contentsOf: "# EOF\n".utf8)
        }
    }

    /// The exposition as bytes, for tests and small callers.
    package static func encode(_ registry: MetricsRegistry, format: ExpositionFormat = .prometheusText) -> [UInt8] {
        var buffer: [UInt8] = []
        encode(registry, format: format, into: &buffer)
        return buffer
    }

    private static func appendHeader<Series>(_ family: MetricFamily<Series>, type: String, openMetrics: Bool, to buffer: inout [UInt8]) {
        appendHeader(name: family.name, help: family.help, type: type, openMetrics: openMetrics, to: &buffer)
    }

    private static func appendHeader(name: String, help: String, type: String, openMetrics: Bool, to buffer: inout [UInt8]) {
        // OpenMetrics names a counter family without the `_total` its sample carries.
        // Registration guarantees the suffix.
        var familyName = Substring(name)
        if openMetrics, type == "counter" { familyName = familyName.dropLast(6) }
        buffer.append(contentsOf: "# HELP ".utf8)
        buffer.append(contentsOf: familyName.utf8)
        buffer.append(UInt8(ascii: " "))
        // Text 0.0.4 escapes only `\` and newline in help; OpenMetrics escapes `"` too.
        appendEscaped(help, escapingQuotes: openMetrics, to: &buffer)
        buffer.append(contentsOf: "\n# TYPE ".utf8)
        buffer.append(contentsOf: familyName.utf8)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: type.utf8)
        buffer.append(UInt8(ascii: "\n"))
    }

    private static func appendHistogram(
        _ family: HistogramFamily, _ labelValues: [String], _ series: HistogramSeries,
        openMetrics: Bool, to buffer: inout [UInt8]
    ) {
        let cumulative = series.cumulativeCounts()
        let bucketName = family.name + "_bucket"
        for (index, count) in cumulative.enumerated() {
            buffer.append(contentsOf: bucketName.utf8)
            buffer.append(UInt8(ascii: "{"))
            for (label, value) in zip(family.labelNames, labelValues) {
                appendLabel(label, value, to: &buffer)
                buffer.append(UInt8(ascii: ","))
            }
            buffer.append(contentsOf: "le=\"".utf8)
            let bound = index < series.upperBounds.count ? series.upperBounds[index] : Double.infinity
            MetricNumberFormat.appendBound(bound, openMetrics: openMetrics, to: &buffer)
            buffer.append(contentsOf: "\"} ".utf8)
            MetricNumberFormat.append(count, to: &buffer)
            buffer.append(UInt8(ascii: "\n"))
        }
        appendSample(family.name + "_sum", family.labelNames, labelValues, series.sum, to: &buffer)
        appendSampleStart(family.name + "_count", family.labelNames, labelValues, to: &buffer)
        MetricNumberFormat.append(cumulative.last ?? 0, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    private static func appendSample(_ name: String, _ labelNames: [String], _ labelValues: [String], _ value: Double, to buffer: inout [UInt8]) {
        appendSampleStart(name, labelNames, labelValues, to: &buffer)
        MetricNumberFormat.append(value, to: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends `name{l="v",…} ` (or `name ` without labels).
    private static func appendSampleStart(_ name: String, _ labelNames: [String], _ labelValues: [String], to buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.utf8)
        if !labelNames.isEmpty {
            buffer.append(UInt8(ascii: "{"))
            for (index, (label, value)) in zip(labelNames, labelValues).enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                appendLabel(label, value, to: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
        buffer.append(UInt8(ascii: " "))
    }

    private static func appendLabel(_ name: String, _ value: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: name.utf8)
        buffer.append(contentsOf: "=\"".utf8)
        appendEscaped(value, escapingQuotes: true, to: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    /// Escapes `\` as `\\`, a line feed as `\n` and, when asked, `"` as `\"`. Other bytes,
    /// non-ASCII UTF-8 included, pass through unchanged.
    static func appendEscaped(_ text: String, escapingQuotes: Bool, to buffer: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): buffer.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\"") where escapingQuotes: buffer.append(contentsOf: "\\\"".utf8)
            default: buffer.append(byte)
            }
        }
    }
}
