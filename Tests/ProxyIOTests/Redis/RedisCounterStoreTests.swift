import ProxyCore
import Testing
@testable import ProxyIO

/// `RedisCounterStore` against a real `redis-server` and a real Redis Cluster.
@Suite(.enabled(if: RedisServerProcess.isAvailable, "redis-server is not installed (make deps installs it)"))
struct RedisCounterStoreTests {
    let minute = RedisWindow.fixed(.seconds(60))

    func key(_ counter: String, owner: String = "team-a") -> RedisCounterKey {
        RedisCounterKey(prefix: "sluice:gw", owner: owner, counter: counter)
    }

    /// Two clients on two loops (two sidecars) race `perClient` increments each at one
    /// counter limited to `limit`; returns what each was granted.
    func race(seeds: [RedisNodeAddress], mode: RedisClientConfiguration.Mode, limit: Int64, perClient: Int,
              window: RedisWindow) throws -> [[RedisWindowCount]] {
        let harnesses = try [RedisLoopHarness(), RedisLoopHarness()]
        defer { harnesses.forEach { $0.shutDown() } }
        let drivers = harnesses.map { RedisClientDriver($0, seeds: seeds, mode: mode) }
        defer { drivers.forEach { $0.close() } }
        let counter = key("requests-per-minute")
        // Both connect (and learn the topology) first, so the race is between their commands.
        for driver in drivers { _ = try #require(driver.read(counter, window: window)).get() }
        let results = Collected<(Int, [RedisClientDriver.Count])>()
        // Both bursts are posted before either is answered, so they interleave at the server.
        for (index, driver) in drivers.enumerated() {
            let store = driver.store
            driver.harness.loop.execute {
                let box = LoopBound(IndexedReplies<RedisWindowCount>(expected: perClient) { results.append((index, $0)) })
                for request in 0..<perClient {
                    store.value.increment(counter, by: 1, limit: limit, window: window) { box.value.set(request, $0) }
                }
            }
        }
        #expect(waitUntil(seconds: 30) { results.values.count == 2 })
        return try results.values.sorted { $0.0 < $1.0 }.map { try $0.1.map { try $0.get() } }
    }

    @Test func twoSidecarsSharingACounterAdmitNoMoreThanTheLimit() throws {
        let server = try RedisServerProcess()
        let granted = try race(seeds: [server.address], mode: .standalone, limit: 100, perClient: 300, window: minute)
        #expect(granted.map(\.count) == [300, 300])
        #expect(granted.flatMap { $0 }.reduce(0) { $0 + $1.granted } == 100)
        // A refusal says when to come back.
        let refused = granted.flatMap { $0 }.filter { $0.granted == 0 }
        #expect(refused.count == 500)
        #expect(refused.allSatisfy { $0.count == 100 && $0.retryAfter > .zero && $0.retryAfter <= .seconds(60) })
    }

    @Test func twoSidecarsSharingACounterOnAClusterAdmitNoMoreThanTheLimit() throws {
        let cluster = try RedisClusterProcess()
        let granted = try race(seeds: cluster.addresses, mode: .cluster, limit: 150, perClient: 200, window: .sliding(.seconds(60)))
        #expect(granted.flatMap { $0 }.reduce(0) { $0 + $1.granted } == 150)
        // The counter lives on the node owning the owner's hash tag.
        let owner = try cluster.owner(of: key("requests-per-minute").slot)
        #expect(try owner.admin().command(["EXISTS", key("requests-per-minute").description]) == .integer(1))
    }

    @Test func aReservationLargerThanWhatRemainsIsTrimmedToIt() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [server.address], mode: .standalone)
        defer { redis.close() }
        let tokens = key("tokens-per-day")
        let day = RedisWindow.fixed(.seconds(86_400))
        let first = try #require(redis.increment(tokens, by: 700, limit: 1000, window: day)).get()
        #expect(first.granted == 700 && first.count == 700 && first.retryAfter == .zero)
        #expect(first.resetAfter > .zero && first.resetAfter <= .seconds(86_400))
        let second = try #require(redis.increment(tokens, by: 700, limit: 1000, window: day)).get()
        #expect(second.granted == 300 && second.count == 1000)
        let third = try #require(redis.increment(tokens, by: 1, limit: 1000, window: day)).get()
        #expect(third.granted == 0 && third.count == 1000)
        #expect(third.retryAfter == third.resetAfter)
        // Settling a reservation with the real usage gives back what was not used.
        let refund = try #require(redis.increment(tokens, by: -400, limit: nil, window: day)).get()
        #expect(refund.granted == -400 && refund.count == 600)
        // A refund never takes the count below zero.
        let overRefund = try #require(redis.increment(tokens, by: -5000, limit: nil, window: day)).get()
        #expect(overRefund.granted == -600 && overRefund.count == 0)
    }

    @Test func readingReportsTheCountAndChangesNothing() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [server.address], mode: .detect)
        defer { redis.close() }
        let counter = key("rpm")
        #expect(try redis.read(counter, window: minute)?.get().count == 0)
        #expect(try server.admin().command(["EXISTS", counter.description]) == .integer(0))
        _ = try redis.increment(counter, by: 3, limit: 10, window: minute)?.get()
        let read = try #require(redis.read(counter, window: minute)).get()
        #expect(read.count == 3 && read.granted == 0)
        #expect(try redis.read(counter, window: minute)?.get().count == 3)
        #expect(try redis.reset(counter)?.get() != nil)
        #expect(try redis.read(counter, window: minute)?.get().count == 0)
    }

    @Test func syncAddsLocalDeltasAndReturnsTheGlobalTotal() throws {
        let server = try RedisServerProcess()
        let harnesses = try [RedisLoopHarness(), RedisLoopHarness()]
        defer { harnesses.forEach { $0.shutDown() } }
        let sidecars = harnesses.map { RedisClientDriver($0, seeds: [server.address], mode: .standalone) }
        defer { sidecars.forEach { $0.close() } }
        let counter = key("tokens-per-minute")
        #expect(try sidecars[0].sync(counter, adding: 5, window: minute)?.get().count == 5)
        #expect(try sidecars[1].sync(counter, adding: 7, window: minute)?.get().count == 12)
        #expect(try sidecars[0].sync(counter, adding: 0, window: minute)?.get().count == 12)
        #expect(try sidecars[1].sync(counter, adding: -2, window: minute)?.get().count == 10)
    }

    @Test func aFixedWindowStartsAgainAfterItsLengthAndItsKeyExpires() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [server.address], mode: .standalone)
        defer { redis.close() }
        let counter = key("burst")
        let window = RedisWindow.fixed(.milliseconds(300))
        let full = try #require(redis.increment(counter, by: 5, limit: 5, window: window)).get()
        #expect(full.granted == 5 && full.resetAfter <= .milliseconds(300))
        let pttl = try server.admin().command(["PTTL", counter.description])
        #expect((pttl.integer ?? -1) > 0 && (pttl.integer ?? 1000) <= 300)
        #expect(try redis.increment(counter, by: 1, limit: 5, window: window)?.get().granted == 0)
        // In the next window the count starts from zero again.
        #expect(poll(seconds: 5) { (try? redis.increment(counter, by: 1, limit: 5, window: window)?.get().granted) == 1 })
    }

    @Test func aSlidingWindowCarriesThePreviousWindowWithADecayingWeight() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [server.address], mode: .standalone)
        defer { redis.close() }
        let counter = key("sliding")
        let window = RedisWindow.sliding(.seconds(2))
        let filled = try #require(redis.increment(counter, by: 10, limit: 10, window: window)).get()
        #expect(filled.granted == 10)
        let refused = try #require(redis.increment(counter, by: 1, limit: 10, window: window)).get()
        #expect(refused.granted == 0 && refused.retryAfter > .zero && refused.retryAfter <= .seconds(4))
        // Once the window rolls over, the previous window's 10 still weigh in, less and less.
        #expect(poll(seconds: 5) { (try? server.admin().command(["HGET", counter.description, "p"])) == .bulk("10") || (try? redis.read(counter, window: window)?.get().count) ?? 10 < 10 })
        let carried = try #require(redis.read(counter, window: window)).get().count
        #expect(carried > 0 && carried <= 10)
        #expect(poll(seconds: 5) { (try? redis.read(counter, window: window)?.get().count) ?? 10 < carried })
    }

    @Test func aServerThatLostTheScriptIsGivenItAgain() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [server.address], mode: .standalone)
        defer { redis.close() }
        let counter = key("rpm")
        #expect(try server.admin().command(["SCRIPT", "EXISTS", RedisCounterStore.scriptSHA]) == .array([.integer(0)]))
        #expect(try redis.increment(counter, by: 1, limit: 5, window: minute)?.get().count == 1)
        #expect(try server.admin().command(["SCRIPT", "EXISTS", RedisCounterStore.scriptSHA]) == .array([.integer(1)]))
        try server.admin().command(["SCRIPT", "FLUSH"])
        #expect(try redis.increment(counter, by: 1, limit: 5, window: minute)?.get().count == 2)
    }

    @Test func theScriptsNameIsTheSHA1RedisComputes() throws {
        let server = try RedisServerProcess()
        #expect(try server.admin().command(["SCRIPT", "LOAD", RedisWindowScript.source]) == .bulk(RedisCounterStore.scriptSHA))
    }

    @Test func aDeadServerFailsCounterOperationsAsUnavailable() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        defer { harness.shutDown() }
        let redis = RedisClientDriver(harness, seeds: [server.address], mode: .detect)
        defer { redis.close() }
        server.kill()
        let result = try #require(redis.increment(key("rpm"), by: 1, limit: 5, window: minute))
        guard case .failure(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(!failure.mayHaveRun)
    }
}
