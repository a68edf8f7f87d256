import ProxyCore
@testable import ProxyIO

/// A `RedisClient` (and a `RedisCounterStore` on it) on a harness's loop, driven from the
/// test's thread: each call posts work to the loop and waits for its results.
struct RedisClientDriver {
    typealias Reply = Result<RESPValue, RedisFailure>
    typealias Count = Result<RedisWindowCount, RedisFailure>

    let harness: RedisLoopHarness
    let client: LoopBound<RedisClient>
    let store: LoopBound<RedisCounterStore>

    init(_ harness: RedisLoopHarness, seeds: [RedisNodeAddress], mode: RedisClientConfiguration.Mode,
         adjust: (inout RedisConnectionConfiguration) -> Void = { _ in }) {
        var connection = RedisConnectionConfiguration(address: seeds[0])
        adjust(&connection)
        let client = RedisClient(loop: harness.loop, configuration: RedisClientConfiguration(
            connection: connection, mode: mode, additionalSeeds: Array(seeds.dropFirst())))
        self.harness = harness
        self.client = LoopBound(client)
        store = LoopBound(RedisCounterStore(client: client))
    }

    /// Sends each command with its routing key in one loop turn; returns the replies in order.
    func send(_ commands: [(words: [String], key: String?)]) -> [Reply]? {
        let client = client
        return harness.run { (done: @escaping @Sendable ([Reply]) -> Void) in
            let box = LoopBound(IndexedReplies<RESPValue>(expected: commands.count, done: done))
            for (index, command) in commands.enumerated() {
                client.value.send(RedisCommand(words: command.words), key: command.key.map { Array($0.utf8) }) { box.value.set(index, $0) }
            }
        }
    }

    /// One command routed by `key` (the command's second word when not given).
    func send(_ words: String..., key: String? = nil) -> Reply? {
        send([(words, key ?? (words.count > 1 ? words[1] : nil))])?.first
    }

    /// `count` increments of `delta` against `limit`, all sent in one loop turn.
    func increments(_ key: RedisCounterKey, count: Int, delta: Int64 = 1, limit: Int64?, window: RedisWindow) -> [Count]? {
        let store = store
        return harness.run(seconds: 30) { (done: @escaping @Sendable ([Count]) -> Void) in
            let box = LoopBound(IndexedReplies<RedisWindowCount>(expected: count, done: done))
            for index in 0..<count {
                store.value.increment(key, by: delta, limit: limit, window: window) { box.value.set(index, $0) }
            }
        }
    }

    func increment(_ key: RedisCounterKey, by delta: Int64, limit: Int64?, window: RedisWindow) -> Count? {
        increments(key, count: 1, delta: delta, limit: limit, window: window)?.first
    }

    func read(_ key: RedisCounterKey, window: RedisWindow) -> Count? {
        let store = store
        return harness.run { done in store.value.read(key, window: window) { done($0) } }
    }

    func sync(_ key: RedisCounterKey, adding delta: Int64, window: RedisWindow) -> Count? {
        let store = store
        return harness.run { done in store.value.sync(key, adding: delta, window: window) { done($0) } }
    }

    func reset(_ key: RedisCounterKey) -> Result<Void, RedisFailure>? {
        let store = store
        return harness.run { done in store.value.reset(key) { done($0) } }
    }

    var topology: RedisClient.Topology {
        let client = client
        return harness.sync { client.value.topology }
    }

    var topologyReadCount: Int {
        let client = client
        return harness.sync { client.value.topologyReadCount }
    }

    func close() {
        let client = client
        harness.sync { client.value.close() }
    }
}

/// Collects results by index on the loop and reports them once all have come.
final class IndexedReplies<Value: Sendable> {
    private var results: [Result<Value, RedisFailure>?]
    private var remaining: Int
    private let done: @Sendable ([Result<Value, RedisFailure>]) -> Void

    init(expected: Int, done: @escaping @Sendable ([Result<Value, RedisFailure>]) -> Void) {
        results = Array(repeating: nil, count: expected)
        remaining = expected
        self.done = done
    }

    func set(_ index: Int, _ result: Result<Value, RedisFailure>) {
        precondition(results[index] == nil, "a callback ran twice")
        results[index] = result
        remaining -= 1
        if remaining == 0 { done(results.map { $0! }) }
    }
}
