/// A registered family of any kind, as the registry lists it for the encoder.
enum MetricFamilyEntry: Sendable {
    case counter(CounterFamily)
    case doubleCounter(DoubleCounterFamily)
    case gauge(GaugeFamily)
    case doubleGauge(DoubleGaugeFamily)
    case histogram(HistogramFamily)
    case callback(CallbackMetric)
}
