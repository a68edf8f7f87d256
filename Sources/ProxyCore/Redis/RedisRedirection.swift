/// A Redis Cluster redirection in an error reply: `MOVED <slot> <host:port>` (the slot has
/// a new owner: update the slot map and resend) or `ASK <slot> <host:port>` (the slot is
/// migrating: send `ASKING` and the command to that node, once, without updating the map).
///
/// Pure; an immutable value.
package enum RedisRedirection: Hashable, Sendable {
    case moved(slot: UInt16, to: RedisNodeAddress)
    case ask(slot: UInt16, to: RedisNodeAddress)

    /// Parses an error reply's message; nil when it is not a well-formed redirection.
    /// The address may have an empty host (`:6380`, or `?:6380`): the caller fills it with
    /// the host of the node that answered.
    package init?(errorMessage: String) {
        let parts = errorMessage.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, let slot = UInt16(parts[1]), Int(slot) < RedisKeySlot.count,
              parts[1].utf8.allSatisfy({ (48...57).contains($0) }),
              let address = RedisNodeAddress(parts[2]) else { return nil }
        switch parts[0] {
        case "MOVED": self = .moved(slot: slot, to: address)
        case "ASK": self = .ask(slot: slot, to: address)
        default: return nil
        }
    }

    /// The node the command should go to.
    package var target: RedisNodeAddress {
        switch self {
        case .moved(_, let address), .ask(_, let address): address
        }
    }

    /// The slot being redirected.
    package var slot: UInt16 {
        switch self {
        case .moved(let slot, _), .ask(let slot, _): slot
        }
    }
}
