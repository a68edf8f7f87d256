import Foundation
import ProxyCore
import ProxyIO

/// A real three-node Redis Cluster on 127.0.0.1 (no replicas): three `redis-server
/// --cluster-enabled yes` on free ports, joined by `redis-cli --cluster create`, ready once
/// every node reports `cluster_state:ok` and agrees on the slot map. Stopped with the test.
final class RedisClusterProcess {
    let nodes: [RedisServerProcess]

    init() throws {
        nodes = try (0..<3).map { _ in
            try RedisServerProcess(arguments: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                               "--cluster-node-timeout", "5000"])
        }
        try runTool(RedisServerProcess.cli!, ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"])
        try waitUntilConsistent()
    }

    var addresses: [RedisNodeAddress] { nodes.map(\.address) }

    /// Waits until every node says the cluster is ok and all report the same full slot map.
    func waitUntilConsistent() throws {
        let consistent = poll(seconds: 30) {
            guard let maps = try? nodes.map({ node -> RedisClusterSlotMap in
                let info = try node.admin().command(["CLUSTER", "INFO"]).text ?? ""
                guard info.contains("cluster_state:ok") else { throw TestSetupError("not ok yet") }
                return try RedisClusterSlotMap.fromSlots(node.admin().command(["CLUSTER", "SLOTS"]), askedHost: "127.0.0.1")
            }) else { return false }
            return maps[0].coveredSlotCount == RedisKeySlot.count && maps.allSatisfy { $0 == maps[0] }
        }
        guard consistent else { throw TestSetupError("the cluster did not become consistent") }
    }

    /// The slot map as the first node sees it.
    func slotMap() throws -> RedisClusterSlotMap {
        try RedisClusterSlotMap.fromSlots(nodes[0].admin().command(["CLUSTER", "SLOTS"]), askedHost: "127.0.0.1")
    }

    /// The node serving `slot`.
    func owner(of slot: UInt16) throws -> RedisServerProcess {
        let address = try slotMap().owner(of: slot)
        guard let node = nodes.first(where: { $0.address == address }) else { throw TestSetupError("no owner for slot \(slot)") }
        return node
    }

    func id(of node: RedisServerProcess) throws -> String {
        guard let id = try node.admin().command(["CLUSTER", "MYID"]).text else { throw TestSetupError("no node id") }
        return id
    }

    /// The first steps of resharding `slot` from `source` to `target`: the slot is marked
    /// importing on the target and migrating on the source, and its keys are moved. Commands
    /// for it now get `ASK` from the source for keys it no longer has.
    func startMigrating(slot: UInt16, from source: RedisServerProcess, to target: RedisServerProcess) throws {
        let sourceID = try id(of: source), targetID = try id(of: target)
        try expectOK(target.admin().command(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID]))
        try expectOK(source.admin().command(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID]))
        let keys = try source.admin().command(["CLUSTER", "GETKEYSINSLOT", String(slot), "1000"]).elements?.compactMap(\.text) ?? []
        if !keys.isEmpty {
            try expectOK(source.admin().command(["MIGRATE", "127.0.0.1", String(target.port), "", "0", "5000", "KEYS"] + keys))
        }
    }

    /// The last step: every node records `target` as the slot's owner (the target first, as
    /// `redis-cli --cluster reshard` does). Commands for it now get `MOVED` from the source.
    func finishMigrating(slot: UInt16, to target: RedisServerProcess) throws {
        let targetID = try id(of: target)
        for node in [target] + nodes.filter({ $0 !== target }) {
            try expectOK(node.admin().command(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID]))
        }
        let settled = poll(seconds: 30) {
            nodes.allSatisfy { node in
                (try? RedisClusterSlotMap.fromSlots(node.admin().command(["CLUSTER", "SLOTS"]), askedHost: "127.0.0.1").owner(of: slot)) == target.address
            }
        }
        guard settled else { throw TestSetupError("the nodes did not agree on slot \(slot)'s new owner") }
    }

    private func expectOK(_ reply: RESPValue) throws {
        guard reply == .simpleString("OK") else { throw TestSetupError("expected OK, got \(reply)") }
    }
}
