/// Picking with per-entry weight adjustments (latency shifting) and availability (ejection).
extension WeightedPicker {
    /// The entry whose adjusted range holds `position` / 2^64, where entry `i`'s weight is
    /// its configured weight × `weightPercent(i)` / 100, and 0 when `available(i)` is false.
    /// Nil when every adjusted weight is 0.
    ///
    /// When every entry with a positive weight is available at 100 %, this is exactly
    /// `pick(position:)`, so sticky users stay where they are while nothing is shifted.
    /// Allocates nothing; calls each closure at most twice per positive entry.
    package func pick(position: UInt64, weightPercent: (Int) -> Int, available: (Int) -> Bool) -> Int? {
        var adjustedTotal: UInt64 = 0
        var unchanged = true
        var previous: UInt64 = 0
        for index in cumulative.indices {
            let weight = cumulative[index] - previous
            previous = cumulative[index]
            guard weight > 0 else { continue }
            let percent = available(index) ? weightPercent(index) : 0
            if percent < 100 { unchanged = false }
            let adjusted = adjustedWeight(weight, percent: percent)
            adjustedTotal = adjustedTotal.addingReportingOverflow(adjusted).overflow ? .max : adjustedTotal + adjusted
        }
        if unchanged { return pick(position: position) }
        guard adjustedTotal > 0 else { return nil }
        let point = position.multipliedFullWidth(by: adjustedTotal).high
        var running: UInt64 = 0
        previous = 0
        var last: Int? = nil
        for index in cumulative.indices {
            let weight = cumulative[index] - previous
            previous = cumulative[index]
            guard weight > 0 else { continue }
            let adjusted = adjustedWeight(weight, percent: available(index) ? weightPercent(index) : 0)
            guard adjusted > 0 else { continue }
            running = running.addingReportingOverflow(adjusted).overflow ? .max : running + adjusted
            last = index
            if point < running { return index }
        }
        return last
    }

    /// weight × percent (clamped to 0…100): the weight in hundredths. Saturating, though the
    /// config's limit of 1,000,000 per entry keeps every product and sum far from overflow.
    private func adjustedWeight(_ weight: UInt64, percent: Int) -> UInt64 {
        let (product, overflow) = weight.multipliedReportingOverflow(by: UInt64(min(max(percent, 0), 100)))
        return overflow ? .max : product
    }
}
