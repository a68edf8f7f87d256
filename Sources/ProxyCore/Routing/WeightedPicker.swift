/// Picks a split entry by weight from a 64-bit position: a random number for ordinary
/// requests, a `StickyHash` for sticky ones.
///
/// The position is read as a fraction of 2^64 and scaled onto the cumulative weight ranges,
/// laid out in the order the entries are written: with weights 90/10 entry 0 owns
/// [0, 0.9) and entry 1 owns [0.9, 1). So a sticky user keeps a fixed point, and moving the
/// weights to 80/20 moves exactly the users whose point lies in [0.8, 0.9). A weight-0 entry
/// owns an empty range and is never picked. Scaling multiplies and keeps the high word, so a
/// uniform position gives each entry its share to within total/2^64. Immutable; no allocation
/// when picking.
package struct WeightedPicker: Hashable, Sendable {
    /// Running sums of the weights: `cumulative[i]` is the sum of weights 0 through i.
    package let cumulative: [UInt64]

    /// Nil when `weights` is empty, has a negative weight, or sums to 0.
    package init?(weights: [Int]) {
        var running: UInt64 = 0
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(weights.count)
        for weight in weights {
            guard weight >= 0 else { return nil }
            let (sum, overflow) = running.addingReportingOverflow(UInt64(weight))
            guard !overflow else { return nil }
            running = sum
            cumulative.append(running)
        }
        guard running > 0 else { return nil }
        self.cumulative = cumulative
    }

    /// The sum of all weights (> 0).
    package var total: UInt64 { cumulative[cumulative.count - 1] }

    /// The entry whose range holds `position` / 2^64.
    package func pick(position: UInt64) -> Int {
        let point = position.multipliedFullWidth(by: total).high
        // Linear: splits have a handful of entries. point < total, so the loop always returns.
        for index in cumulative.indices where point < cumulative[index] { return index }
        return cumulative.count - 1
    }

    /// `position` as a point in [0, 10000), basis points of the unit interval: what explain shows.
    package static func basisPoints(_ position: UInt64) -> Int {
        Int(position.multipliedFullWidth(by: 10_000).high)
    }
}
