import ProxyCore

/// A Redis client for one event loop that serves a standalone server or a Redis Cluster
/// behind one `send`: each command names the key it touches, and goes to the node that
/// owns the key's slot.
///
/// **Topology.** `.standalone` sends everything to the first seed. `.cluster` and `.detect`
/// ask a seed for the slot map (`CLUSTER SHARDS`, or `CLUSTER SLOTS` on servers before 7)
/// when the first command comes; `.detect` takes a server with cluster support disabled as
/// standalone. Commands sent meanwhile wait for the answer; if no seed answers, they fail
/// with `.unavailable`, and the next command asks again.
///
/// **Redirections.** `MOVED` updates the slot's owner, resends the command there and has the
/// map read again (at most once per `minimumRefreshInterval`); `ASK` sends `ASKING` and the
/// command to the node importing the slot, once, without touching the map; `TRYAGAIN` (a
/// multi-key command while its slot migrates) resends after a short delay. At most
/// `maxRedirections` hops, then `.tooManyRedirections`. A node that stops answering makes
/// the client read the map again (a replica may have been promoted).
///
/// **Threading.** Loop-confined like `RedisConnection` (one connection per node, all on
/// `loop`): call it on the loop's thread; callbacks run there, never inside `send`. Call
/// `close()` before dropping it.
package final class RedisClient {
    /// What the client knows of the servers.
    package enum Topology: Hashable, Sendable {
        case unknown
        case standalone(RedisNodeAddress)
        case cluster(RedisClusterSlotMap)
    }

    private struct Held {
        var command: RedisCommand
        var key: [UInt8]?
        var callback: RedisReplyHandler
    }

    package let loop: EventLoop
    package let configuration: RedisClientConfiguration
    package private(set) var topology = Topology.unknown
    /// Times the slot map was read (for tests and metrics).
    package private(set) var topologyReadCount = 0
    private var connections: [RedisNodeAddress: RedisConnection] = [:]
    /// Commands waiting for the topology.
    private var held: [Held] = []
    private var discovering = false
    private var lastDiscovery: ProxyInstant?
    private var refreshTimer: LoopTimer?
    private var closed = false

    package init(loop: EventLoop, configuration: RedisClientConfiguration) {
        self.loop = loop
        self.configuration = configuration
        if configuration.mode == .standalone { topology = .standalone(configuration.connection.address) }
    }

    /// The nodes the client holds a connection to.
    package var connectedNodes: [RedisNodeAddress] { Array(connections.keys) }

    /// The connection to `node` (made on first use), for commands that must go to one node.
    package func connection(to node: RedisNodeAddress) -> RedisConnection {
        if let existing = connections[node] { return existing }
        var nodeConfiguration = configuration.connection
        nodeConfiguration.address = node
        let connection = RedisConnection(loop: loop, configuration: nodeConfiguration)
        connections[node] = connection
        return connection
    }

    /// Sends `command` to the node that owns `key`'s slot (any node when `key` is nil);
    /// `callback` gets the reply or the failure, once, on the loop. Error replies other than
    /// redirections are delivered as `.success(.error(…))`.
    package func send(_ command: RedisCommand, key: [UInt8]?, _ callback: @escaping RedisReplyHandler) {
        loop.assertInLoop()
        guard !closed else { return loop.deliverLater(callback, .failure(.closed)) }
        switch topology {
        case .unknown:
            guard held.count < configuration.connection.maxPendingCommands else {
                return loop.deliverLater(callback, .failure(.overloaded))
            }
            held.append(Held(command: command, key: key, callback: callback))
            discover()
        case .standalone(let node):
            connection(to: node).send(command, callback)
        case .cluster:
            route(command, key: key, hops: 0, askingAt: nil, callback)
        }
    }

    /// Closes every connection; commands pending fail with `.closed`.
    package func close() {
        loop.assertInLoop()
        guard !closed else { return }
        closed = true
        refreshTimer?.cancel()
        refreshTimer = nil
        let waiting = held
        held = []
        let open = connections.values
        connections = [:]
        for connection in open { connection.close() }
        for command in waiting { command.callback(.failure(.closed)) }
    }

    // MARK: Routing

    private func route(_ command: RedisCommand, key: [UInt8]?, hops: Int, askingAt: RedisNodeAddress?,
                       _ callback: @escaping RedisReplyHandler) {
        guard case .cluster(let map) = topology else { return send(command, key: key, callback) }
        let slot = key.map { RedisKeySlot.slot(of: $0) }
        guard let node = askingAt ?? (slot.map { map.owner(of: $0) } ?? map.nodes.first) else {
            refreshTopology()
            return loop.deliverLater(callback, .failure(.unavailable("no node serves slot \(slot ?? 0)")))
        }
        connection(to: node).send(command, asking: askingAt != nil) { [self] result in
            handle(result, of: command, key: key, from: node, hops: hops, askingAt: askingAt, callback)
        }
    }

    private func handle(_ result: Result<RESPValue, RedisFailure>, of command: RedisCommand, key: [UInt8]?,
                        from node: RedisNodeAddress, hops: Int, askingAt: RedisNodeAddress?, _ callback: @escaping RedisReplyHandler) {
        switch result {
        case .success(.error(let message)):
            if let redirection = RedisRedirection(errorMessage: message) {
                guard hops < configuration.maxRedirections, !closed else { return callback(.failure(.tooManyRedirections)) }
                let target = redirection.target.filling(host: node.host)
                switch redirection {
                case .moved(let slot, _):
                    if case .cluster(var map) = topology {
                        map.assign(slot: slot, to: target)
                        topology = .cluster(map)
                    }
                    refreshTopology()
                    route(command, key: key, hops: hops + 1, askingAt: nil, callback)
                case .ask:
                    route(command, key: key, hops: hops + 1, askingAt: target, callback)
                }
                return
            }
            if message.hasPrefix("TRYAGAIN"), hops < configuration.maxRedirections, !closed {
                // The keys are split between two nodes while their slot migrates: wait for it to move on.
                loop.schedule(after: .milliseconds(10)) { [self] in
                    guard !closed else { return callback(.failure(.closed)) }
                    route(command, key: key, hops: hops + 1, askingAt: askingAt, callback)
                }
                return
            }
            if message.hasPrefix("CLUSTERDOWN") { refreshTopology() }
            callback(result)
        case .failure(.connectionLost), .failure(.unavailable), .failure(.timeout):
            refreshTopology()
            callback(result)
        default:
            callback(result)
        }
    }

    // MARK: Topology

    /// Reads the slot map again soon, at most once per `minimumRefreshInterval`.
    private func refreshTopology() {
        guard case .cluster = topology, !discovering, refreshTimer == nil, !closed else { return }
        let now = loop.wakeTime
        let earliest = lastDiscovery.map { $0.advanced(by: configuration.minimumRefreshInterval) } ?? now
        if earliest <= now { return discover() }
        refreshTimer = loop.schedule(at: earliest) { [self] in
            refreshTimer = nil
            discover()
        }
    }

    /// Asks the known nodes, then the seeds, one after the other, for the slot map.
    private func discover() {
        guard !discovering, !closed else { return }
        discovering = true
        lastDiscovery = loop.wakeTime
        var candidates: [RedisNodeAddress] = []
        if case .cluster(let map) = topology { candidates = map.nodes }
        for seed in configuration.seeds where !candidates.contains(seed) { candidates.append(seed) }
        ask(candidates, at: 0, lastFailure: "no seed")
    }

    private func ask(_ candidates: [RedisNodeAddress], at index: Int, lastFailure: String) {
        guard !closed else { return }
        guard index < candidates.count else { return discoveryFailed(lastFailure) }
        let node = candidates[index]
        connection(to: node).send(RedisCommand("CLUSTER", "SHARDS")) { [self] result in
            switch result {
            case .success(.error(let message)) where Self.isClusterDisabled(message):
                if configuration.mode == .cluster {
                    return ask(candidates, at: index + 1, lastFailure: "\(node) is not a cluster node: \(message)")
                }
                adopt(.standalone(node))
            case .success(.error(let message)) where message.lowercased().contains("unknown subcommand"):
                askSlots(candidates, at: index)
            case .success(.error(let message)):
                ask(candidates, at: index + 1, lastFailure: "\(node): \(message)")
            case .success(let reply):
                readMap(candidates, at: index) { askedHost throws(RedisClusterSlotMap.ReplyError) in
                    try RedisClusterSlotMap.fromShards(reply, askedHost: askedHost, tls: configuration.connection.tls != nil)
                }
            case .failure(let failure):
                ask(candidates, at: index + 1, lastFailure: "\(node): \(failure)")
            }
        }
    }

    /// `CLUSTER SLOTS`, for cluster nodes older than Redis 7.
    private func askSlots(_ candidates: [RedisNodeAddress], at index: Int) {
        let node = candidates[index]
        connection(to: node).send(RedisCommand("CLUSTER", "SLOTS")) { [self] result in
            switch result {
            case .success(.error(let message)):
                ask(candidates, at: index + 1, lastFailure: "\(node): \(message)")
            case .success(let reply):
                readMap(candidates, at: index) { askedHost throws(RedisClusterSlotMap.ReplyError) in
                    try RedisClusterSlotMap.fromSlots(reply, askedHost: askedHost)
                }
            case .failure(let failure):
                ask(candidates, at: index + 1, lastFailure: "\(node): \(failure)")
            }
        }
    }

    private func readMap(_ candidates: [RedisNodeAddress], at index: Int,
                         _ parse: (String) throws(RedisClusterSlotMap.ReplyError) -> RedisClusterSlotMap) {
        let node = candidates[index]
        do {
            let map = try parse(node.host)
            // A node that knows no slots yet (a cluster being created) is no authority.
            guard map.coveredSlotCount > 0 else { return ask(candidates, at: index + 1, lastFailure: "\(node) serves no slots") }
            adopt(.cluster(map))
        } catch {
            ask(candidates, at: index + 1, lastFailure: "\(node): \(error)")
        }
    }

    private func adopt(_ discovered: Topology) {
        discovering = false
        topologyReadCount += 1
        topology = discovered
        // Drop idle connections to nodes that no longer serve anything (or seeds, once the
        // map names the nodes by address).
        let serving: [RedisNodeAddress]
        switch discovered {
        case .cluster(let map): serving = map.nodes
        case .standalone(let node): serving = [node]
        case .unknown: serving = []
        }
        for (node, connection) in connections where !serving.contains(node) && connection.pendingCount == 0 {
            connection.close()
            connections[node] = nil
        }
        let waiting = held
        held = []
        for command in waiting { send(command.command, key: command.key, command.callback) }
    }

    private func discoveryFailed(_ reason: String) {
        discovering = false
        let waiting = held
        held = []
        for command in waiting { command.callback(.failure(.unavailable("cannot read the cluster topology: \(reason)"))) }
    }

    private static func isClusterDisabled(_ message: String) -> Bool {
        message.contains("cluster support disabled")
    }
}
