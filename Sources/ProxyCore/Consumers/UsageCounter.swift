import Synchronization

/// One limit's use in its current window or period, shared by every event loop without a
/// lock: one atomic word holding the period's number (high 24 bits) and the amount used in
/// it (low 40 bits: tokens, or millionths of a currency), updated by compare-and-swap.
///
/// A word whose period is not the one asked about reads as unused: a new period starts at
/// zero without anyone resetting it. The 24-bit tag wraps after 2^24 periods (194 days of
/// seconds); a counter untouched for exactly that long would read its old amount for one window.
package final class UsageCounter: Sendable {
    private let word = Atomic<UInt64>(0)

    static let amountBits: UInt64 = 40
    static let amountMask: UInt64 = (1 << amountBits) - 1
    static let maxAmount = Int(amountMask)

    package init() {}

    /// Takes up to `want` of what remains under `limit` in `period`; nil (nothing taken) when
    /// nothing remains. A want of 0 only checks that something remains.
    package func take(upTo want: Int, limit: Int, period: UInt64) -> (taken: Int, used: Int)? {
        let tag = Self.tag(period)
        var current = word.load(ordering: .relaxed)
        while true {
            let used = Self.amount(current, tag: tag)
            guard used < limit else { return nil }
            let taken = min(want, limit - used)
            let (exchanged, seen) = word.weakCompareExchange(expected: current, desired: Self.pack(tag, used + taken), ordering: .relaxed)
            if exchanged { return (taken, used + taken) }
            current = seen
        }
    }

    /// Adds `delta` (negative: gives back) to what was used. When `reserved` (the period the
    /// amount was first taken in) is over, a positive delta counts in the current period `now`
    /// and a negative one is dropped: what was taken then left with that period.
    package func add(_ delta: Int, reserved: UInt64, now: UInt64) {
        guard delta != 0 else { return }
        let nowTag = Self.tag(now)
        var current = word.load(ordering: .relaxed)
        while true {
            let tag = current >> Self.amountBits
            let desired: UInt64
            if reserved == now, tag == nowTag {
                desired = Self.pack(tag, Self.clamp(Self.sum(Int(current & Self.amountMask), delta)))
            } else if delta > 0 {
                desired = Self.pack(nowTag, Self.clamp(Self.sum(Self.amount(current, tag: nowTag), delta)))
            } else {
                return
            }
            let (exchanged, seen) = word.weakCompareExchange(expected: current, desired: desired, ordering: .relaxed)
            if exchanged { return }
            current = seen
        }
    }

    /// What was used in `period`.
    package func used(in period: UInt64) -> Int {
        Self.amount(word.load(ordering: .relaxed), tag: Self.tag(period))
    }

    /// Sets what was used in `period` (admin reset and adjust).
    package func set(_ used: Int, in period: UInt64) {
        word.store(Self.pack(Self.tag(period), Self.clamp(used)), ordering: .relaxed)
    }

    private static func tag(_ period: UInt64) -> UInt64 { period & 0xFF_FFFF }

    private static func amount(_ word: UInt64, tag: UInt64) -> Int {
        word >> amountBits == tag ? Int(word & amountMask) : 0
    }

    private static func pack(_ tag: UInt64, _ amount: Int) -> UInt64 { tag << amountBits | UInt64(amount) }

    private static func clamp(_ amount: Int) -> Int { min(max(amount, 0), maxAmount) }

    /// `amount + delta`, saturating: a delta comes from a provider's usage or an admin request.
    private static func sum(_ amount: Int, _ delta: Int) -> Int {
        let (sum, overflow) = amount.addingReportingOverflow(delta)
        return overflow ? (delta > 0 ? Int.max : Int.min) : sum
    }
}
