/// Verdicts of a moderation service by content hash: the SHA-256 of the service's URL, the
/// rule's category thresholds and the exact request body (every checked text), so the same
/// texts are not sent twice (and two rules judging one service's scores differently never
/// share a verdict). Only
/// `allowed` and `flagged` are kept (a failed call is asked again). At most `capacity`
/// entries; the oldest goes first.
///
/// A value owned by one event loop (per config snapshot: a reload, which may change the
/// service, starts empty). Pure.
package struct GuardModerationCache: Sendable {
    package struct Key: Hashable, Sendable {
        let a, b, c, d: UInt64

        /// The key of a call to `url` with `body`, judged with `thresholds`.
        package init(url: String, thresholds: [String: Double] = [:], body: [UInt8]) {
            var bytes = Array(url.utf8)
            bytes.append(0)
            for (category, threshold) in thresholds.sorted(by: { $0.key < $1.key }) {
                bytes += Array(category.utf8)
                bytes.append(0)
                bytes += Array(String(threshold).utf8)
                bytes.append(0)
            }
            bytes.append(0)
            bytes += body
            let words = SHA256.digest(bytes).words
            (a, b, c, d) = (words.0, words.1, words.2, words.3)
        }
    }

    package static let defaultCapacity = 4096

    package let capacity: Int
    private var verdicts: [Key: Bool] = [:]
    /// Keys in insertion order, as a ring: `order[next]` is the oldest once full.
    private var order: [Key] = []
    private var next = 0

    package init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// The cached verdict (`allowed` or `flagged`), or nil.
    package func verdict(for key: Key) -> GuardModerationVerdict? {
        verdicts[key].map { $0 ? .flagged : .allowed }
    }

    /// Keeps `verdict` when it is an answer of the service (not a failure).
    package mutating func store(_ verdict: GuardModerationVerdict, for key: Key) {
        let flagged: Bool
        switch verdict {
        case .allowed: flagged = false
        case .flagged: flagged = true
        case .failed: return
        }
        if verdicts.updateValue(flagged, forKey: key) != nil { return }
        if order.count < capacity {
            order.append(key)
        } else {
            verdicts[order[next]] = nil
            order[next] = key
            next = (next + 1) % capacity
        }
    }

    package var count: Int { verdicts.count }
}
