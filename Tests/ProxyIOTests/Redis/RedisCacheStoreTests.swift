import ProxyCore
import Testing
@testable import ProxyIO

/// `RedisCacheStore` against a real `redis-server` and a real Redis Cluster: values come back
/// byte for byte (any bytes), with the TTL given, and an absent key is nil, not a failure.
@Suite(.enabled(if: RedisServerProcess.isAvailable, "redis-server is not installed (make deps installs it)"))
struct RedisCacheStoreTests {
    static let value: [UInt8] = Array(0...255) + Array("data: {\"x\":1}\r\n\r\n".utf8)

    func get(_ store: LoopBound<RedisCacheStore>, _ harness: RedisLoopHarness, _ key: String) -> Result<[UInt8]?, RedisFailure>? {
        harness.run { done in store.value.get(Array(key.utf8)) { done($0) } }
    }

    func set(_ store: LoopBound<RedisCacheStore>, _ harness: RedisLoopHarness, _ key: String, ttl: ProxyDuration) -> Result<Void, RedisFailure>? {
        harness.run { done in store.value.set(Array(key.utf8), value: Self.value, ttl: ttl) { done($0) } }
    }

    @Test func aValueIsReadBackExactlyWithItsTTLAndIsGoneOnceDeleted() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let driver = RedisClientDriver(harness, seeds: [server.address], mode: .standalone)
        defer { driver.close() }
        let store = LoopBound(RedisCacheStore(client: driver.client.value))
        #expect(try #require(get(store, harness, "sluice:cache:none")).get() == nil, "absent: nil, not a failure")
        _ = try #require(set(store, harness, "sluice:cache:k", ttl: .seconds(90))).get()
        #expect(try #require(get(store, harness, "sluice:cache:k")).get() == Self.value)
        let ttl = try #require(driver.send("PTTL", "sluice:cache:k")).get().integer ?? 0
        #expect(ttl > 89_000 && ttl <= 90_000)
        _ = try #require(harness.run { done in store.value.delete(Array("sluice:cache:k".utf8)) { done($0) } }).get()
        #expect(try #require(get(store, harness, "sluice:cache:k")).get() == nil)
    }

    @Test func keysSpreadOverAClusterAreFoundWhereverTheyLive() throws {
        let cluster = try RedisClusterProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let driver = RedisClientDriver(harness, seeds: cluster.addresses, mode: .cluster)
        defer { driver.close() }
        let store = LoopBound(RedisCacheStore(client: driver.client.value))
        let keys = (0..<12).map { "sluice:cache:\($0)" }
        for key in keys { _ = try #require(set(store, harness, key, ttl: .seconds(60))).get() }
        for key in keys { #expect(try #require(get(store, harness, key)).get() == Self.value) }
        let owners = Set(try keys.map { try cluster.owner(of: RedisKeySlot.slot(of: Array($0.utf8))).address })
        #expect(owners.count >= 2, "the keys live on several nodes")
    }
}
