/// Which primary node serves each of the 16384 slots of a Redis Cluster.
///
/// Built from a `CLUSTER SHARDS` reply (Redis 7+) or a `CLUSTER SLOTS` reply (older servers;
/// see `RedisClusterSlotMap+Replies.swift`), and patched slot by slot when a `MOVED` arrives.
/// Lookup is one array read. A slot no node serves (a cluster being set up, or a reply that
/// leaves a gap) has no owner.
///
/// An immutable-by-default value owned by one client on its event loop.
package struct RedisClusterSlotMap: Hashable, Sendable {
    /// The primaries, in the order first seen.
    package private(set) var nodes: [RedisNodeAddress] = []
    /// For each slot, an index into `nodes`, or `unowned`.
    private var owners: [UInt16]

    private static let unowned = UInt16.max

    /// A map in which no slot has an owner.
    package init() {
        owners = Array(repeating: Self.unowned, count: RedisKeySlot.count)
    }

    /// A map giving each range of slots to its node; later ranges override earlier ones.
    package init(ranges: [(slots: ClosedRange<UInt16>, node: RedisNodeAddress)]) {
        self.init()
        for range in ranges {
            for slot in range.slots where Int(slot) < RedisKeySlot.count { assign(slot: slot, to: range.node) }
        }
    }

    /// The node serving `slot`, if any.
    package func owner(of slot: UInt16) -> RedisNodeAddress? {
        guard Int(slot) < owners.count else { return nil }
        let index = owners[Int(slot)]
        return index == Self.unowned ? nil : nodes[Int(index)]
    }

    /// Records that `node` serves `slot` (what a `MOVED` says).
    package mutating func assign(slot: UInt16, to node: RedisNodeAddress) {
        guard Int(slot) < owners.count else { return }
        let index: Int
        if let known = nodes.firstIndex(of: node) {
            index = known
        } else {
            nodes.append(node)
            index = nodes.count - 1
        }
        owners[Int(slot)] = UInt16(index)
    }

    /// How many slots have an owner: 16384 when the cluster is fully covered.
    package var coveredSlotCount: Int { owners.count { $0 != Self.unowned } }

    /// The owned slots as maximal contiguous ranges with their node, in slot order.
    package var ranges: [(slots: ClosedRange<UInt16>, node: RedisNodeAddress)] {
        var result: [(slots: ClosedRange<UInt16>, node: RedisNodeAddress)] = []
        var start = 0
        while start < owners.count {
            let index = owners[start]
            var end = start
            while end + 1 < owners.count && owners[end + 1] == index { end += 1 }
            if index != Self.unowned { result.append((UInt16(start)...UInt16(end), nodes[Int(index)])) }
            start = end + 1
        }
        return result
    }

    package static func == (lhs: RedisClusterSlotMap, rhs: RedisClusterSlotMap) -> Bool {
        (0..<RedisKeySlot.count).allSatisfy { lhs.owner(of: UInt16($0)) == rhs.owner(of: UInt16($0)) }
    }

    package func hash(into hasher: inout Hasher) {
        for slot in 0..<RedisKeySlot.count { hasher.combine(owner(of: UInt16(slot))) }
    }
}
