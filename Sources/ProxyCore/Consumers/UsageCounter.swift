import Synchronization

/// One limit's use in its current window or period, shared by every event loop without a
/// lock: one atomic word holding the period's number (high 24 bits) and the amount used in
/// it (low 40 bits: tokens, or millionths of a currency), updated by compare-and-swap.
///
/// A word whose period is not the one asked about reads as unused: a new period starts at
/// zero without anyone resetting it. The 24-bit tag wraps after 2^24 periods (194 days of
/// seconds); a counter untouched for exactly that long would read its old amount for one window.
///
/// **Shared** (a gateway with Redis, ADR 0026): the word is this sidecar's view of the
/// gateway-wide use — the total Redis last returned plus what this sidecar changed since —
/// and every change made here is also added to `pending`, which the sync step pushes to
/// Redis (`beginSync`) and replaces the view with the total Redis answers (`syncSucceeded`).
/// Not shared, `pending` is never touched.
package final class UsageCounter: Sendable {
    private let word = Atomic<UInt64>(0)
    /// Shared only: what changed here since the last push (negative: given back).
    private let pending = Atomic<Int64>(0)
    /// Shared only: a push is waiting for Redis's answer.
    private let syncing = Atomic<Bool>(false)
    /// Whether the changes are pushed to Redis (the word is then a view of a shared total).
    package let shared: Bool
    /// Shared only: when the sync step pushes it.
    private let pacing = SyncPacing()

    static let amountBits: UInt64 = 40
    static let amountMask: UInt64 = (1 << amountBits) - 1
    static let maxAmount = Int(amountMask)

    package init(shared: Bool = false) {
        self.shared = shared
    }

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
            if exchanged {
                if shared { pending.add(Int64(taken), ordering: .relaxed) }
                return (taken, used + taken)
            }
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
            } else if shared, reserved == now {
                // The view has not reached this period yet (no sync since it began), but the
                // amount was taken in it: Redis holds it, so the refund is pushed.
                pending.add(Int64(clamping: delta), ordering: .relaxed)
                return
            } else {
                return
            }
            let (exchanged, seen) = word.weakCompareExchange(expected: current, desired: desired, ordering: .relaxed)
            if exchanged {
                if shared { pending.add(Int64(clamping: delta), ordering: .relaxed) }
                return
            }
            current = seen
        }
    }

    /// What was used in `period`.
    package func used(in period: UInt64) -> Int {
        Self.amount(word.load(ordering: .relaxed), tag: Self.tag(period))
    }

    /// Sets what was used in `period` (admin reset and adjust); shared, the difference is pushed.
    package func set(_ used: Int, in period: UInt64) {
        let old = word.exchange(Self.pack(Self.tag(period), Self.clamp(used)), ordering: .relaxed)
        if shared { pending.add(Int64(Self.clamp(used) - Self.amount(old, tag: Self.tag(period))), ordering: .relaxed) }
    }

    /// Shared: starts a push at `now` — returns what changed here since the last one (moved out
    /// of `pending`); nil while the previous push has not been answered, or when nothing changed
    /// and `pacing` says an idle counter waits (`idleRefresh`; nil: push only a change).
    package func beginSync(at now: ProxyInstant, idleRefresh: ProxyDuration?) -> Int64? {
        guard shared, !syncing.load(ordering: .relaxed) else { return nil }
        let changed = pending.load(ordering: .relaxed) != 0
        guard pacing.shouldPush(changed: changed, at: now, idleRefresh: idleRefresh ?? .zero), changed || idleRefresh != nil,
              !syncing.exchange(true, ordering: .relaxed) else { return nil }
        return pending.exchange(0, ordering: .relaxed)
    }

    /// Shared: Redis answered a push for `period` with the gateway-wide `total` (the push
    /// included); the view becomes that total plus what changed here since.
    package func syncSucceeded(total: Int64, period: UInt64) {
        observe(total: total, period: period)
        syncing.store(false, ordering: .relaxed)
    }

    /// Shared: a push of `delta` failed. When it may have been applied it is not pushed again
    /// (counting it twice would refuse what is within the limit); otherwise it goes with the next.
    package func syncFailed(delta: Int64, mayHaveRun: Bool) {
        if !mayHaveRun { pending.add(delta, ordering: .relaxed) }
        syncing.store(false, ordering: .relaxed)
    }

    /// Shared: Redis reported the gateway-wide `total` for `period` (a strict admission's
    /// answer, which changed Redis directly, not through `pending`).
    package func observe(total: Int64, period: UInt64) {
        let local = pending.load(ordering: .relaxed)
        let (sum, overflow) = total.addingReportingOverflow(local)
        word.store(Self.pack(Self.tag(period), Self.clamp(overflow ? Int.max : Int(clamping: sum))), ordering: .relaxed)
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
