import ProxyCore

extension DataPlane {
    /// Sets `sluice_consumer_limit` and `sluice_consumer_limit_remaining` for every token limit
    /// and quota of the serving config's consumers (and of their per-model overrides, `limit`
    /// `models[<match>].<field>`: bounded by the config); runs before each scrape (the windows turn
    /// with time, not only with requests). Spend is in the quota's currency.
    func publishConsumerLimits() {
        let now = MeterInstant(monotonic: clock.now(), wallNanoseconds: clock.wallNanoseconds())
        for consumer in current.consumers.metered {
            for reading in consumer.ownTokenLimiters.flatMap({ $0.readings(at: now) }) {
                let scale: Double = if case .costQuota = reading.kind { 1_000_000 } else { 1 }
                let labels = [consumer.name, reading.field]
                metrics.consumerLimit.series(labelValues: labels).set(Double(reading.limit) / scale)  // lint: allow-series (per scrape)
                metrics.consumerLimitRemaining.series(labelValues: labels).set(Double(reading.remaining) / scale)  // lint: allow-series (per scrape)
            }
        }
    }
}
