/// Building a slot map from the server's own description of the cluster.
///
/// Addresses a node reports with an empty or `?` host mean "the node you asked", so the
/// host of the node that answered fills them in. Only primaries are kept: Sluice writes
/// counters, which replicas refuse.
extension RedisClusterSlotMap {
    /// Why a `CLUSTER SHARDS` or `CLUSTER SLOTS` reply could not be read.
    package struct ReplyError: Error, Hashable, Sendable, CustomStringConvertible {
        package var reason: String
        package var description: String { "unexpected cluster topology reply: \(reason)" }
    }

    /// A map from a `CLUSTER SHARDS` reply (RESP2 or RESP3).
    ///
    /// Each shard lists `slots` as start/end pairs and its `nodes`, each with `role`, `ip`,
    /// `endpoint`, `port` and, on a TLS cluster, `tls-port`. The primary's `endpoint` is used
    /// (the address the cluster prefers clients to use), else its `ip`; `tls-port` when
    /// `tls` is set and the node has one.
    package static func fromShards(_ reply: RESPValue, askedHost: String, tls: Bool = false) throws(ReplyError) -> RedisClusterSlotMap {
        guard let shards = reply.elements else { throw ReplyError(reason: "CLUSTER SHARDS did not return an array") }
        var ranges: [(slots: ClosedRange<UInt16>, node: RedisNodeAddress)] = []
        for shard in shards {
            guard let slots = shard.field("slots")?.elements, slots.count % 2 == 0,
                  let nodes = shard.field("nodes")?.elements else { throw ReplyError(reason: "a shard without slots or nodes") }
            guard let primary = nodes.first(where: { $0.field("role")?.text == "master" }) else { continue }
            let host = [primary.field("endpoint")?.text, primary.field("ip")?.text]
                .compactMap { $0 }.first { !$0.isEmpty && $0 != "?" } ?? askedHost
            let tlsPort = tls ? primary.field("tls-port")?.integer : nil
            guard let port = try portNumber(tlsPort ?? primary.field("port")?.integer) else { continue }
            let node = RedisNodeAddress(host: host, port: port)
            for pair in stride(from: 0, to: slots.count, by: 2) {
                ranges.append((try slotRange(slots[pair].integer, slots[pair + 1].integer), node))
            }
        }
        return RedisClusterSlotMap(ranges: ranges)
    }

    /// A map from a `CLUSTER SLOTS` reply: entries of start, end, then the primary as
    /// `[host, port, id, …]` followed by its replicas.
    package static func fromSlots(_ reply: RESPValue, askedHost: String) throws(ReplyError) -> RedisClusterSlotMap {
        guard let entries = reply.elements else { throw ReplyError(reason: "CLUSTER SLOTS did not return an array") }
        var ranges: [(slots: ClosedRange<UInt16>, node: RedisNodeAddress)] = []
        for entry in entries {
            guard let fields = entry.elements, fields.count >= 3, let primary = fields[2].elements, primary.count >= 2,
                  let reportedHost = primary[0].text else { throw ReplyError(reason: "a CLUSTER SLOTS entry without its primary") }
            guard let port = try portNumber(primary[1].integer) else { continue }
            let host = reportedHost.isEmpty || reportedHost == "?" ? askedHost : reportedHost
            ranges.append((try slotRange(fields[0].integer, fields[1].integer), RedisNodeAddress(host: host, port: port)))
        }
        return RedisClusterSlotMap(ranges: ranges)
    }

    private static func slotRange(_ start: Int64?, _ end: Int64?) throws(ReplyError) -> ClosedRange<UInt16> {
        guard let start, let end, start >= 0, start <= end, end < Int64(RedisKeySlot.count) else {
            throw ReplyError(reason: "a slot range outside 0...16383")
        }
        return UInt16(start)...UInt16(end)
    }

    /// The port, or nil for 0 (a node that does not listen for clients on this transport).
    private static func portNumber(_ value: Int64?) throws(ReplyError) -> UInt16? {
        guard let value, value >= 0, value <= Int64(UInt16.max) else { throw ReplyError(reason: "a node without a valid port") }
        return value == 0 ? nil : UInt16(value)
    }
}
