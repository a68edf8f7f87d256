import Testing

/// Groups the metrics suites, so `swift test --filter Metrics` selects all of them.
@Suite enum MetricsTests {}
