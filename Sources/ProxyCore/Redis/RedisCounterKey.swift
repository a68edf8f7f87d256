/// The Redis key of one counter: `<prefix>:{<owner>}:<counter>`, where the owner (a
/// consumer) is the hash tag, so all of one owner's counters live in one Redis Cluster slot
/// (one node, and scripts or transactions over several of them stay possible).
///
/// Any owner name works: a `}` inside it ends the tag early, but at the same place for every
/// key of that owner. An immutable value.
package struct RedisCounterKey: Hashable, Sendable, CustomStringConvertible {
    package let bytes: [UInt8]

    /// `prefix` (e.g. `sluice:<gateway>`) must not contain `{`, which would move the tag.
    package init(prefix: String, owner: String, counter: String) {
        precondition(!prefix.utf8.contains(UInt8(ascii: "{")), "a counter key prefix cannot contain '{'")
        bytes = Array(prefix.utf8) + Array(":{".utf8) + Array(owner.utf8) + Array("}:".utf8) + Array(counter.utf8)
    }

    /// The cluster slot the key lives in.
    package var slot: UInt16 { RedisKeySlot.slot(of: bytes) }

    package var description: String { String(decoding: bytes, as: UTF8.self) }
}
