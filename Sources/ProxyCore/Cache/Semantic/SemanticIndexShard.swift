/// One shard of a semantic index: at most `capacity` vectors, each the key of a cached answer
/// in a semantic scope, the oldest overwritten when full (a ring). A search scans the vectors
/// of one scope.
///
/// A value; not thread-safe (`SemanticCacheIndex` keeps each behind a lock).
package struct SemanticIndexShard: Sendable {
    private struct Slot: Sendable {
        var scope: CacheKey
        var entry: CacheKey
        var vector: SemanticVector
        var expiry: ProxyInstant
    }

    private var slots: [Slot?]
    private var next = 0
    /// Slot positions by scope, and by answer key (a stored answer has one vector).
    private var byScope: [CacheKey: [Int]] = [:]
    private var byEntry: [CacheKey: Int] = [:]

    package init(capacity: Int) {
        slots = Array(repeating: nil, count: max(1, capacity))
    }

    /// Vectors held (expired ones included until overwritten).
    package var count: Int { byEntry.count }

    /// Keeps `vector` for the answer `entry` in `scope` until `expiry`, replacing the answer's
    /// earlier vector, or else the oldest one when full. Returns whether one was evicted for room.
    @discardableResult
    package mutating func insert(_ vector: SemanticVector, scope: CacheKey, entry: CacheKey, until expiry: ProxyInstant) -> Bool {
        if let position = byEntry[entry], let old = slots[position] {
            if old.scope != scope { unlink(position, scope: old.scope) }
            slots[position] = Slot(scope: scope, entry: entry, vector: vector, expiry: expiry)
            if old.scope != scope { byScope[scope, default: []].append(position) }
            return false
        }
        let position = next
        next = (next + 1) % slots.count
        var evicted = false
        if let old = slots[position] {
            unlink(position, scope: old.scope)
            byEntry[old.entry] = nil
            evicted = true
        }
        slots[position] = Slot(scope: scope, entry: entry, vector: vector, expiry: expiry)
        byScope[scope, default: []].append(position)
        byEntry[entry] = position
        return evicted
    }

    /// The live vector of `scope` most similar to `vector`, with its similarity.
    package func best(in scope: CacheKey, for vector: SemanticVector, at now: ProxyInstant) -> SemanticMatch? {
        guard let positions = byScope[scope] else { return nil }
        var best: SemanticMatch?
        for position in positions {
            guard let slot = slots[position], slot.expiry > now else { continue }
            let similarity = slot.vector.similarity(to: vector)
            if similarity > best?.similarity ?? -2 { best = SemanticMatch(entry: slot.entry, similarity: similarity) }
        }
        return best
    }

    private mutating func unlink(_ position: Int, scope: CacheKey) {
        guard var positions = byScope[scope] else { return }
        positions.removeAll { $0 == position }
        byScope[scope] = positions.isEmpty ? nil : positions
    }
}

/// A stored answer found by similarity: its key in the exact tiers and how close it is.
package struct SemanticMatch: Hashable, Sendable {
    package let entry: CacheKey
    package let similarity: Float
}
