/// A metric without labels whose value is read from a closure at scrape time.
///
/// For process metrics that the I/O layer owns (resident memory, open file descriptors,
/// CPU seconds): nothing is stored, the closure is called once per scrape.
package struct CallbackMetric: Sendable {
    /// Whether the value is exposed as a counter or a gauge.
    package enum Kind: Sendable {
        case counter
        case gauge
    }

    /// The metric name (for counters, including the `_total` suffix).
    package let name: String
    /// The help text, unescaped.
    package let help: String
    /// How the value is exposed.
    package let kind: Kind
    /// Called on the scraping thread, without any registry lock held. Must be thread-safe,
    /// cheap and must not block.
    package let read: @Sendable () -> Double
}
