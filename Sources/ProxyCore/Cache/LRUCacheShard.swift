/// One shard of the memory tier: a map from key to slot and a doubly linked recency list over
/// parallel arrays (no object per entry), bounded in entries and bytes. Entries past their
/// expiry are dropped when met; the least recently used go when a bound is passed.
///
/// A plain value, owned by one `Mutex` in `MemoryCacheTier`.
struct LRUCacheShard: Sendable {
    let maxEntries: Int
    let maxBytes: Int
    private(set) var bytes = 0
    private var index: [CacheKey: Int] = [:]
    private var keys: [CacheKey] = []
    private var values: [CachedAnswer?] = []
    private var expiries: [ProxyInstant] = []
    private var previous: [Int] = []
    private var next: [Int] = []
    private var free: [Int] = []
    /// Most and least recently used slot; -1 when empty.
    private var head = -1
    private var tail = -1

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    var count: Int { index.count }

    /// What `lookup` found.
    enum Lookup {
        case hit(CachedAnswer)
        case miss
        /// It was there but past its expiry: now dropped.
        case expired(bytes: Int)
    }

    mutating func lookup(_ key: CacheKey, at now: ProxyInstant) -> Lookup {
        guard let slot = index[key] else { return .miss }
        guard now < expiries[slot], let value = values[slot] else {
            let freed = remove(slot: slot)
            return .expired(bytes: freed)
        }
        moveToFront(slot)
        return .hit(value)
    }

    /// What `insert` changed: bytes added (negative when fewer), entries evicted for room.
    struct Change {
        var bytes = 0
        var entries = 0
        var evicted = 0
    }

    /// Stores `value` until `expiry`, replacing an entry with the same key, then evicts the
    /// least recently used entries until both bounds hold. `value` must fit `maxBytes`.
    mutating func insert(_ key: CacheKey, _ value: CachedAnswer, until expiry: ProxyInstant) -> Change {
        var change = Change()
        if let slot = index[key] {
            change.bytes -= remove(slot: slot)
            change.entries -= 1
        }
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            keys[slot] = key
            values[slot] = value
            expiries[slot] = expiry
        } else {
            slot = keys.count
            keys.append(key)
            values.append(value)
            expiries.append(expiry)
            previous.append(-1)
            next.append(-1)
        }
        index[key] = slot
        link(slot)
        bytes += value.chargedBytes
        change.bytes += value.chargedBytes
        change.entries += 1
        while (bytes > maxBytes || index.count > maxEntries), tail != -1, tail != slot {
            change.bytes -= remove(slot: tail)
            change.entries -= 1
            change.evicted += 1
        }
        return change
    }

    /// Drops the entry for `key`; the bytes it freed (0 when there was none).
    mutating func remove(_ key: CacheKey) -> Int {
        guard let slot = index[key] else { return 0 }
        return remove(slot: slot)
    }

    private mutating func remove(slot: Int) -> Int {
        let freed = values[slot]?.chargedBytes ?? 0
        unlink(slot)
        index[keys[slot]] = nil
        values[slot] = nil
        free.append(slot)
        bytes -= freed
        return freed
    }

    private mutating func link(_ slot: Int) {
        previous[slot] = -1
        next[slot] = head
        if head != -1 { previous[head] = slot }
        head = slot
        if tail == -1 { tail = slot }
    }

    private mutating func unlink(_ slot: Int) {
        if previous[slot] != -1 { next[previous[slot]] = next[slot] } else { head = next[slot] }
        if next[slot] != -1 { previous[next[slot]] = previous[slot] } else { tail = previous[slot] }
        previous[slot] = -1
        next[slot] = -1
    }

    private mutating func moveToFront(_ slot: Int) {
        guard head != slot else { return }
        unlink(slot)
        link(slot)
    }
}
