import ProxyCore
import Testing

@Suite struct RedisClusterSlotMapTests {
    let a = RedisNodeAddress(host: "10.0.0.1", port: 7000)
    let b = RedisNodeAddress(host: "10.0.0.2", port: 7001)
    let c = RedisNodeAddress(host: "10.0.0.3", port: 7002)

    func node(_ fields: [(String, RESPValue)]) -> RESPValue {
        .map(fields.map { RESPMapEntry(key: .bulk($0.0), value: $0.1) })
    }

    /// A `CLUSTER SHARDS` reply as a RESP3 server sends it.
    func shardsReply() -> RESPValue {
        .array([
            node([("slots", .array([.integer(0), .integer(5460)])),
                  ("nodes", .array([
                      node([("id", .bulk("r1")), ("port", .integer(7100)), ("ip", .bulk("10.0.0.9")), ("endpoint", .bulk("10.0.0.9")),
                            ("role", .bulk("replica")), ("health", .bulk("online"))]),
                      node([("id", .bulk("m1")), ("port", .integer(7000)), ("ip", .bulk("10.0.0.1")), ("endpoint", .bulk("10.0.0.1")),
                            ("role", .bulk("master")), ("replication-offset", .integer(72156)), ("health", .bulk("online"))]),
                  ]))]),
            node([("slots", .array([.integer(5461), .integer(10922)])),
                  ("nodes", .array([node([("port", .integer(7001)), ("tls-port", .integer(8001)), ("ip", .bulk("10.0.0.2")),
                                          ("endpoint", .bulk("10.0.0.2")), ("role", .bulk("master"))])]))]),
            // Two ranges, and a primary whose endpoint is unknown: the node asked fills it in.
            node([("slots", .array([.integer(10923), .integer(16000), .integer(16001), .integer(16383)])),
                  ("nodes", .array([node([("port", .integer(7002)), ("ip", .bulk("")), ("endpoint", .bulk("?")), ("role", .bulk("master"))])]))]),
        ])
    }

    @Test func shardsGiveEachSlotItsPrimary() throws {
        let map = try RedisClusterSlotMap.fromShards(shardsReply(), askedHost: "10.0.0.3")
        #expect(map.coveredSlotCount == 16384)
        #expect(map.owner(of: 0) == a)
        #expect(map.owner(of: 5460) == a)
        #expect(map.owner(of: 5461) == b)
        #expect(map.owner(of: 16383) == c)
        #expect(map.ranges.map(\.slots) == [0...5460, 5461...10922, 10923...16383])
        #expect(map.nodes == [a, b, c])
    }

    @Test func shardsInResp2FormReadTheSame() throws {
        var output: [UInt8] = []
        RESPEncoder.append(shardsReply(), version: .resp2, to: &output)
        let resp2 = try decodeAll(output)[0]
        #expect(try RedisClusterSlotMap.fromShards(resp2, askedHost: "10.0.0.3") == RedisClusterSlotMap.fromShards(shardsReply(), askedHost: "10.0.0.3"))
    }

    @Test func aTLSClientUsesTheTLSPortWhereThereIsOne() throws {
        let map = try RedisClusterSlotMap.fromShards(shardsReply(), askedHost: "10.0.0.3", tls: true)
        #expect(map.owner(of: 6000) == RedisNodeAddress(host: "10.0.0.2", port: 8001))
        #expect(map.owner(of: 0) == a)
    }

    @Test func slotsRepliesGiveTheSameMap() throws {
        let reply = RESPValue.array([
            .array([.integer(0), .integer(5460), .array([.bulk("10.0.0.1"), .integer(7000), .bulk("m1"), .map([])]),
                    .array([.bulk("10.0.0.9"), .integer(7100), .bulk("r1")])]),
            .array([.integer(5461), .integer(10922), .array([.bulk("10.0.0.2"), .integer(7001), .bulk("m2")])]),
            .array([.integer(10923), .integer(16383), .array([.bulk(""), .integer(7002), .bulk("m3")])]),
        ])
        let map = try RedisClusterSlotMap.fromSlots(reply, askedHost: "10.0.0.3")
        #expect(map == RedisClusterSlotMap(ranges: [(0...5460, a), (5461...10922, b), (10923...16383, c)]))
    }

    @Test func movedPatchesOneSlot() {
        var map = RedisClusterSlotMap(ranges: [(0...16383, a)])
        map.assign(slot: 42, to: b)
        #expect(map.owner(of: 41) == a)
        #expect(map.owner(of: 42) == b)
        #expect(map.ranges.map(\.slots) == [0...41, 42...42, 43...16383])
        #expect(RedisClusterSlotMap().owner(of: 1) == nil)
        #expect(RedisClusterSlotMap().coveredSlotCount == 0)
    }

    @Test(arguments: [
        RESPValue.simpleString("OK"),
        .array([.map([RESPMapEntry(key: .bulk("slots"), value: .array([.integer(0)]))])]),
        .array([.map([RESPMapEntry(key: .bulk("slots"), value: .array([.integer(5), .integer(1)])),
                      RESPMapEntry(key: .bulk("nodes"), value: .array([.map([RESPMapEntry(key: .bulk("role"), value: .bulk("master")),
                                                                             RESPMapEntry(key: .bulk("port"), value: .integer(1))])]))])]),
        .array([.map([RESPMapEntry(key: .bulk("slots"), value: .array([.integer(0), .integer(16384)])),
                      RESPMapEntry(key: .bulk("nodes"), value: .array([.map([RESPMapEntry(key: .bulk("role"), value: .bulk("master")),
                                                                             RESPMapEntry(key: .bulk("port"), value: .integer(1))])]))])]),
        .array([.map([RESPMapEntry(key: .bulk("slots"), value: .array([.integer(0), .integer(1)])),
                      RESPMapEntry(key: .bulk("nodes"), value: .array([.map([RESPMapEntry(key: .bulk("role"), value: .bulk("master")),
                                                                             RESPMapEntry(key: .bulk("port"), value: .integer(70000))])]))])]),
    ])
    func malformedShardsAreRejected(_ reply: RESPValue) {
        #expect(throws: RedisClusterSlotMap.ReplyError.self) { try RedisClusterSlotMap.fromShards(reply, askedHost: "h") }
    }

    @Test(arguments: [RESPValue.null, .array([.array([.integer(0), .integer(1)])]),
                      .array([.array([.integer(0), .integer(1), .array([.bulk("h")])])]),
                      .array([.array([.integer(-1), .integer(1), .array([.bulk("h"), .integer(1)])])])])
    func malformedSlotsAreRejected(_ reply: RESPValue) {
        #expect(throws: RedisClusterSlotMap.ReplyError.self) { try RedisClusterSlotMap.fromSlots(reply, askedHost: "h") }
    }
}
