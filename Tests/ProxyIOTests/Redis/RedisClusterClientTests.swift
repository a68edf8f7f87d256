import ProxyCore
import Testing
@testable import ProxyIO

/// `RedisClient` against a real three-node Redis Cluster (and a standalone server for
/// detection), each started for the test on free ports.
@Suite(.enabled(if: RedisServerProcess.isAvailable, "redis-server is not installed (make deps installs it)"))
struct RedisClusterClientTests {
    @Test func commandsGoToTheNodeOwningTheirKeysSlot() throws {
        let cluster = try RedisClusterProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [cluster.addresses[1]], mode: .cluster)
        defer { redis.close() }
        let keys = (0..<60).map { "key-\($0)" }
        let replies = try #require(redis.send(keys.map { (["SET", $0, "v-\($0)"], $0) }))
        #expect(replies.allSatisfy { $0 == .success(.simpleString("OK")) })
        // Each key sits on its slot's owner, which answers GET itself (no redirection).
        let map = try cluster.slotMap()
        for key in keys {
            let owner = try cluster.owner(of: RedisKeySlot.slot(of: Array(key.utf8)))
            #expect(try owner.admin().command(["GET", key]) == .bulk("v-\(key)"), "\(key)")
        }
        #expect(Set(keys.compactMap { map.owner(of: RedisKeySlot.slot(of: Array($0.utf8))) }).count == 3)
        // No command was redirected: the map was read once.
        #expect(redis.topologyReadCount == 1)
        guard case .cluster(let known) = redis.topology else {
            Issue.record("expected a cluster topology, got \(redis.topology)")
            return
        }
        #expect(known == map)
    }

    @Test func ourSlotsAreTheSlotsRedisComputes() throws {
        let cluster = try RedisClusterProcess()
        let keys = ["foo", "bar", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "sluice:gw:{team-a}:rpm", "", "é", "\u{0}x"]
        for key in keys {
            let reply = try cluster.nodes[0].admin().command(["CLUSTER", "KEYSLOT", key])
            #expect(reply == .integer(Int64(RedisKeySlot.slot(of: Array(key.utf8)))), "\(key)")
        }
    }

    @Test func detectionTellsAClusterFromAStandaloneServer() throws {
        let cluster = try RedisClusterProcess()
        let standalone = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let onCluster = RedisClientDriver(harness, seeds: [cluster.addresses[0]], mode: .detect)
        let onServer = RedisClientDriver(harness, seeds: [standalone.address], mode: .detect)
        defer { onCluster.close(); onServer.close() }
        #expect(onCluster.send("SET", "a", "1") == .success(.simpleString("OK")))
        #expect(onServer.send("SET", "a", "1") == .success(.simpleString("OK")))
        if case .cluster = onCluster.topology {} else { Issue.record("expected a cluster, got \(onCluster.topology)") }
        #expect(onServer.topology == .standalone(standalone.address))
        #expect(try standalone.admin().command(["GET", "a"]) == .bulk("1"))
    }

    @Test func clusterModeRefusesAServerWithClusterSupportDisabled() throws {
        let standalone = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [standalone.address], mode: .cluster)
        defer { redis.close() }
        let reply = try #require(redis.send("GET", "a"))
        guard case .failure(.unavailable(let reason)) = reply else {
            Issue.record("expected unavailable, got \(reply)")
            return
        }
        #expect(reason.contains("not a cluster node"))
        #expect(redis.topology == .unknown)
    }

    @Test func aSeedThatIsDownIsSkippedForTheNextOne() throws {
        let cluster = try RedisClusterProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let nobody = RedisNodeAddress(host: "127.0.0.1", port: try FreePort.pick())
        let redis = RedisClientDriver(harness, seeds: [nobody, cluster.addresses[2]], mode: .cluster)
        defer { redis.close() }
        #expect(redis.send("SET", "k", "v") == .success(.simpleString("OK")))
    }

    @Test func aMovedSlotIsFollowedAndTheMapUpdated() throws {
        let cluster = try RedisClusterProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [cluster.addresses[0]], mode: .cluster)
        defer { redis.close() }
        let key = "moving-key"
        let slot = RedisKeySlot.slot(of: Array(key.utf8))
        #expect(redis.send("SET", key, "before") == .success(.simpleString("OK")))
        let source = try cluster.owner(of: slot)
        let target = cluster.nodes.first { $0 !== source }!
        try cluster.startMigrating(slot: slot, from: source, to: target)
        try cluster.finishMigrating(slot: slot, to: target)
        // The client still believes the source owns the slot: it gets MOVED and follows it.
        #expect(redis.send("GET", key) == .success(.bulk("before")))
        #expect(redis.send("SET", key, "after") == .success(.simpleString("OK")))
        #expect(try target.admin().command(["GET", key]) == .bulk("after"))
        guard case .cluster(let map) = redis.topology else {
            Issue.record("expected a cluster topology, got \(redis.topology)")
            return
        }
        #expect(map.owner(of: slot) == target.address)
        // The MOVED also made the client read the whole map again.
        #expect(poll(seconds: 5) { redis.topologyReadCount >= 2 })
    }

    @Test func anAskDuringMigrationIsFollowedWithoutChangingTheMap() throws {
        let cluster = try RedisClusterProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [cluster.addresses[0]], mode: .cluster)
        defer { redis.close() }
        let key = "asked-key"
        let slot = RedisKeySlot.slot(of: Array(key.utf8))
        #expect(redis.send("SET", key, "1") == .success(.simpleString("OK")))
        let source = try cluster.owner(of: slot)
        let target = cluster.nodes.first { $0 !== source }!
        // The key has moved to the target, but the slot still belongs to the source: the
        // source answers ASK, and only a command preceded by ASKING is served by the target.
        try cluster.startMigrating(slot: slot, from: source, to: target)
        let direct = try source.admin().command(["INCR", key])
        #expect(direct.errorMessage?.hasPrefix("ASK \(slot) ") == true)
        #expect(redis.send("INCR", key) == .success(.integer(2)))
        #expect(redis.send("INCR", key) == .success(.integer(3)))
        guard case .cluster(let map) = redis.topology else {
            Issue.record("expected a cluster topology, got \(redis.topology)")
            return
        }
        #expect(map.owner(of: slot) == source.address)
        #expect(redis.topologyReadCount == 1)
        try cluster.finishMigrating(slot: slot, to: target)
        #expect(redis.send("GET", key) == .success(.bulk("3")))
    }

    @Test func aRestartedNodeIsReconnectedWithoutANewClient() throws {
        let cluster = try RedisClusterProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: cluster.addresses, mode: .cluster) {
            $0.reconnectBackoff = Backoff(base: .milliseconds(20), max: .milliseconds(200))
        }
        defer { redis.close() }
        let key = "survivor"
        let node = try cluster.owner(of: RedisKeySlot.slot(of: Array(key.utf8)))
        #expect(redis.send("SET", key, "1") == .success(.simpleString("OK")))
        node.kill()
        let failed = try #require(redis.send("GET", key))
        switch failed {
        case .failure(.connectionLost), .failure(.unavailable): break
        default: Issue.record("expected a lost or unavailable node, got \(failed)")
        }
        // Restarted with its cluster config, the node keeps its id and slots (no persistence: the key is gone).
        try node.start()
        #expect(poll(seconds: 20) { redis.send("GET", key) == .success(.null) })
    }
}
