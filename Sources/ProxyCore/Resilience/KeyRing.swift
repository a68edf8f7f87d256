import Synchronization

/// A backend's keys as every loop's requests share them: taken in turn (round-robin), and a
/// key the provider refused is set aside until a time, so requests go to the others meanwhile.
/// Lock-free: a turn counter and one set-aside time per key, all atomics.
///
/// Pure of I/O and clocks: the caller passes `now`.
package final class KeyRing: Sendable {
    private final class Slot: Sendable {
        let setAsideUntil = Atomic<UInt64>(0)
    }

    /// How many keys the ring holds (at least 1).
    package let count: Int
    private let turn = Atomic<Int>(0)
    private let slots: [Slot]

    package init(count: Int) {
        precondition(count >= 1 && count <= 64, "a key ring holds 1 to 64 keys")
        self.count = count
        slots = (0..<count).map { _ in Slot() }
    }

    /// The key for the next attempt: the next in turn that is not set aside and not in `tried`
    /// (a bit per key index: the keys this request already used on this backend); else the
    /// next not set aside; else the one whose time out ends first.
    package func pick(now: ProxyInstant, avoiding tried: UInt64 = 0) -> Int {
        guard count > 1 else { return 0 }
        let start = Int(UInt(bitPattern: turn.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(count))
        var available: Int? = nil
        var soonest = start
        var soonestUntil = UInt64.max
        for offset in 0..<count {
            let index = (start + offset) % count
            let until = slots[index].setAsideUntil.load(ordering: .relaxed)
            if until <= now.nanoseconds {
                if tried & (1 << UInt64(index)) == 0 { return index }
                if available == nil { available = index }
            } else if until < soonestUntil {
                soonest = index
                soonestUntil = until
            }
        }
        return available ?? soonest
    }

    /// Sets key `index` aside until `until`.
    package func setAside(_ index: Int, until: ProxyInstant) {
        slots[index].setAsideUntil.store(until.nanoseconds, ordering: .relaxed)
    }

    /// Whether a key outside `tried` is not set aside at `now`: another key to try at once.
    package func hasUntriedKey(now: ProxyInstant, tried: UInt64) -> Bool {
        (0..<count).contains { tried & (1 << UInt64($0)) == 0 && slots[$0].setAsideUntil.load(ordering: .relaxed) <= now.nanoseconds }
    }
}
