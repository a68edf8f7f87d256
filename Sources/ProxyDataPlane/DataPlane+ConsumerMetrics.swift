import ProxyCore

extension DataPlane {
    /// Sets `sluice_consumer_limit` and `sluice_consumer_limit_remaining` for every token limit
    /// and quota of the serving config's consumers; runs before each scrape (the windows turn
    /// with time, not only with requests). Spend is in the quota's currency.
    func publishConsumerLimits() {
        let now = MeterInstant(monotonic: clock.now(), wallNanoseconds: clock.wallNanoseconds())
        for consumer in current.consumers.metered {
            guard let limiter = consumer.tokenLimiter else { continue }
            for reading in limiter.readings(at: now) {
                let scale: Double = if case .costQuota = reading.kind { 1_000_000 } else { 1 }
                let labels = [consumer.name, reading.kind.field]
                metrics.consumerLimit.series(labelValues: labels).set(Double(reading.limit) / scale)  // lint: allow-series (per scrape)
                metrics.consumerLimitRemaining.series(labelValues: labels).set(Double(reading.remaining) / scale)  // lint: allow-series (per scrape)
            }
        }
    }
}
