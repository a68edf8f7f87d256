import Synchronization

/// The set of metric families one process exposes, in registration order.
///
/// Thread-safe: families may be registered and series created from any thread (both lock),
/// and a scrape may run concurrently with both. Register families once at startup and keep
/// the returned family objects; the hot path only touches series (see `MetricFamily`).
///
/// Registration validates names (a violation is a programmer error and traps):
/// metric names match `[a-zA-Z_:][a-zA-Z0-9_:]*`; counter names end in `_total`; label
/// names match `[a-zA-Z_][a-zA-Z0-9_]*` and do not start with `__`; histograms have no
/// `le` label and strictly increasing finite buckets; no two families may expose the same
/// name (a histogram `x` collides with a gauge `x_count`, a counter `y_total` with a gauge
/// `y`, the counter's OpenMetrics family name), which would make the exposition ambiguous.
package final class MetricsRegistry: Sendable {
    private let state = Mutex(State())

    private struct State {
        var families: [MetricFamilyEntry] = []
        // Every name a family exposes or declares (`# TYPE` names and sample names).
        var claimedNames: Set<String> = []
    }

    package init() {}

    /// Registers an integer counter family. `name` must end in `_total`.
    package func counter(name: String, help: String, labelNames: [String] = []) -> CounterFamily {
        validateCounter(name: name, labelNames: labelNames)
        let family = CounterFamily(name: name, help: help, labelNames: labelNames) { CounterSeries() }
        register(.counter(family), claiming: counterNames(name))
        return family
    }

    /// Registers a floating-point counter family (cost). `name` must end in `_total`.
    package func doubleCounter(name: String, help: String, labelNames: [String] = []) -> DoubleCounterFamily {
        validateCounter(name: name, labelNames: labelNames)
        let family = DoubleCounterFamily(name: name, help: help, labelNames: labelNames) { DoubleCounterSeries() }
        register(.doubleCounter(family), claiming: counterNames(name))
        return family
    }

    /// Registers an integer gauge family.
    package func gauge(name: String, help: String, labelNames: [String] = []) -> GaugeFamily {
        validate(name: name, labelNames: labelNames)
        let family = GaugeFamily(name: name, help: help, labelNames: labelNames) { GaugeSeries() }
        register(.gauge(family), claiming: [name])
        return family
    }

    /// Registers a floating-point gauge family.
    package func doubleGauge(name: String, help: String, labelNames: [String] = []) -> DoubleGaugeFamily {
        validate(name: name, labelNames: labelNames)
        let family = DoubleGaugeFamily(name: name, help: help, labelNames: labelNames) { DoubleGaugeSeries() }
        register(.doubleGauge(family), claiming: [name])
        return family
    }

    /// Registers a histogram family. `buckets` are the finite upper bounds, strictly
    /// increasing; the `+Inf` bucket is implicit.
    package func histogram(
        name: String, help: String, labelNames: [String] = [],
        buckets: [Double] = HistogramSeries.defaultSecondsBuckets
    ) -> HistogramFamily {
        validate(name: name, labelNames: labelNames, reservedLabels: ["le"])
        precondition(!buckets.isEmpty, "metric \(name): a histogram needs at least one bucket")
        for (index, bound) in buckets.enumerated() {
            precondition(bound.isFinite, "metric \(name): bucket bounds must be finite (+Inf is implicit)")
            precondition(index == 0 || buckets[index - 1] < bound, "metric \(name): buckets must be strictly increasing")
        }
        let family = HistogramFamily(name: name, help: help, labelNames: labelNames) {
            HistogramSeries(upperBounds: buckets)
        }
        register(.histogram(family), claiming: [name, name + "_bucket", name + "_sum", name + "_count"])
        return family
    }

    /// Registers a gauge without labels whose value `read` returns at scrape time.
    ///
    /// `read` is called on the scraping thread with no registry lock held; it must be
    /// thread-safe and must not block.
    package func registerCallbackGauge(name: String, help: String, _ read: @escaping @Sendable () -> Double) {
        validate(name: name, labelNames: [])
        register(.callback(CallbackMetric(name: name, help: help, kind: .gauge, read: read)), claiming: [name])
    }

    /// Registers a counter without labels whose value `read` returns at scrape time
    /// (CPU seconds, bytes read by the process). `name` must end in `_total`.
    package func registerCallbackCounter(name: String, help: String, _ read: @escaping @Sendable () -> Double) {
        validateCounter(name: name, labelNames: [])
        register(.callback(CallbackMetric(name: name, help: help, kind: .counter, read: read)), claiming: counterNames(name))
    }

    /// The registered families, in registration order (the exposition order).
    func entries() -> [MetricFamilyEntry] {
        state.withLock { $0.families }
    }

    private func validate(name: String, labelNames: [String], reservedLabels: [String] = []) {
        precondition(MetricNameRules.isValidMetricName(name), "invalid metric name \"\(name)\"")
        MetricNameRules.validateLabelNames(labelNames, family: name, forbidding: reservedLabels)
    }

    private func validateCounter(name: String, labelNames: [String]) {
        validate(name: name, labelNames: labelNames)
        // OpenMetrics declares a counter family without `_total` and requires the suffix on
        // its sample; requiring it at registration keeps both formats exact.
        precondition(name.hasSuffix("_total") && name != "_total", "counter \(name): name must end in _total")
    }

    private func counterNames(_ name: String) -> [String] {
        [name, String(name.utf8.dropLast(6))!]
    }

    private func register(_ entry: MetricFamilyEntry, claiming names: [String]) {
        state.withLock { state in
            for name in names {
                precondition(!state.claimedNames.contains(name), "metric name \"\(name)\" is already registered")
            }
            state.claimedNames.formUnion(names)
            state.families.append(entry)
        }
    }
}
