import ProxyCore

/// The controller's own metrics (prefix `sluice_controller_`), served on `/metrics`.
package final class ControllerMetrics: Sendable {
    package let registry: MetricsRegistry
    private let reconciles: CounterFamily
    private let configMapWrites: CounterFamily
    private let statusWrites: CounterSeries
    private let events: CounterSeries
    private let lastSuccess: DoubleGaugeSeries

    package init(registry: MetricsRegistry = MetricsRegistry(), queueDepth: @escaping @Sendable () -> Double,
                 isLeader: @escaping @Sendable () -> Double) {
        self.registry = registry
        reconciles = registry.counter(name: "sluice_controller_reconciles_total",
                                      help: "Reconciles of a key, by result: success, error (transient, requeued with backoff), failed (permanent, waits for the next change), not_leader (skipped by a standby).",
                                      labelNames: ["result"])
        configMapWrites = registry.counter(name: "sluice_controller_configmap_writes_total",
                                           help: "ConfigMap writes, by operation: create, update, delete.", labelNames: ["operation"])
        statusWrites = registry.counter(name: "sluice_controller_status_writes_total", help: "Status subresource writes.").series()
        events = registry.counter(name: "sluice_controller_events_total", help: "Kubernetes Events created.").series()
        lastSuccess = registry.doubleGauge(name: "sluice_controller_last_success_timestamp_seconds",
                                           help: "Unix time of the last successful reconcile.").series()
        registry.registerCallbackGauge(name: "sluice_controller_queue_depth", help: "Keys waiting in the work queue.", queueDepth)
        registry.registerCallbackGauge(name: "sluice_controller_leader", help: "1 while this replica holds the leader Lease.", isLeader)
    }

    package func reconciled(_ result: String, wallSeconds: Double) {
        reconciles.series(labelValues: [result]).increment()
        if result == "success" { lastSuccess.set(wallSeconds) }
    }

    package func configMapWritten(_ operation: String) { configMapWrites.series(labelValues: [operation]).increment() }
    package func statusWritten() { statusWrites.increment() }
    package func eventCreated() { events.increment() }
}
