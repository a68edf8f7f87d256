import Synchronization

/// A registered metric family: its name, help and label names, and its series by label values.
///
/// Thread-safe. `series(labelValues:)` takes a lock and may allocate: call it when a config
/// snapshot is built (one series per route, backend, model…), keep the returned reference
/// in the snapshot, and update that on the request path. Never look series up per request.
package final class MetricFamily<Series: AnyObject & Sendable>: Sendable {
    /// The metric name (for counters, including the `_total` suffix).
    package let name: String
    /// The help text, unescaped.
    package let help: String
    /// The label names, in the order `series(labelValues:)` expects the values.
    package let labelNames: [String]

    private let makeSeries: @Sendable () -> Series
    private let storage = Mutex(Storage())

    private struct Storage {
        var indexByLabelValues: [[String]: Int] = [:]
        var entries: [(labelValues: [String], series: Series)] = []
    }

    init(name: String, help: String, labelNames: [String], makeSeries: @escaping @Sendable () -> Series) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.makeSeries = makeSeries
    }

    /// The series for these label values, created on first use.
    ///
    /// Label values are arbitrary strings (they are escaped on output) but must be bounded
    /// in number: route, backend, model, consumer, code class; never request ids.
    /// Traps when the number of values differs from the number of label names.
    package func series(labelValues: [String] = []) -> Series {
        precondition(
            labelValues.count == labelNames.count,
            "metric \(name): \(labelValues.count) label values for \(labelNames.count) label names")
        return storage.withLock { storage in
            if let index = storage.indexByLabelValues[labelValues] {
                return storage.entries[index].series
            }
            let series = makeSeries()
            storage.indexByLabelValues[labelValues] = storage.entries.count
            storage.entries.append((labelValues, series))
            return series
        }
    }

    /// Every series with its label values, in creation order (the exposition order).
    ///
    /// Called at scrape time; takes the lock only to copy the list.
    package func allSeries() -> [(labelValues: [String], series: Series)] {
        storage.withLock { $0.entries }
    }
}

/// A family of integer counters.
package typealias CounterFamily = MetricFamily<CounterSeries>
/// A family of floating-point counters.
package typealias DoubleCounterFamily = MetricFamily<DoubleCounterSeries>
/// A family of integer gauges.
package typealias GaugeFamily = MetricFamily<GaugeSeries>
/// A family of floating-point gauges.
package typealias DoubleGaugeFamily = MetricFamily<DoubleGaugeSeries>
/// A family of histograms sharing one set of bucket bounds.
package typealias HistogramFamily = MetricFamily<HistogramSeries>
