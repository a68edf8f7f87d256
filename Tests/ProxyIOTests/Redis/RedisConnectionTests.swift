import Glibc
import ProxyCore
import Testing
@testable import ProxyIO

/// `RedisConnection` against a real `redis-server` started on a free port for each test.
@Suite(.enabled(if: RedisServerProcess.isAvailable, "redis-server is not installed (make deps installs it)"))
struct RedisConnectionTests {
    typealias Reply = Result<RESPValue, RedisFailure>

    /// A connection to `server`, created for the harness's loop.
    func connection(_ harness: RedisLoopHarness, _ server: RedisServerProcess,
                    _ adjust: (inout RedisConnectionConfiguration) -> Void = { _ in }) -> LoopBound<RedisConnection> {
        var configuration = RedisConnectionConfiguration(address: server.address)
        adjust(&configuration)
        return LoopBound(RedisConnection(loop: harness.loop, configuration: configuration))
    }

    /// Sends `commands` in one loop turn and waits for all their replies, in arrival order.
    func send(_ harness: RedisLoopHarness, _ connection: LoopBound<RedisConnection>, _ commands: [[String]],
              timeout: ProxyDuration? = nil) -> [Reply]? {
        harness.run { (done: @escaping @Sendable ([Reply]) -> Void) in
            let replies = LoopBound(IndexedReplies<RESPValue>(expected: commands.count, done: done))
            for (index, words) in commands.enumerated() {
                connection.value.send(RedisCommand(words: words), timeout: timeout) { replies.value.set(index, $0) }
            }
        }
    }

    func close(_ harness: RedisLoopHarness, _ connection: LoopBound<RedisConnection>) {
        harness.sync { connection.value.close() }
        harness.shutDown()
    }

    @Test func pipelinedCommandsGetTheirRepliesInOrder() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server)
        let commands = Array(repeating: ["INCR", "counter"], count: 2000) + [["SET", "k", "v"], ["GET", "k"], ["GET", "missing"]]
        let replies = try #require(send(harness, redis, commands))
        #expect(replies.count == commands.count)
        let counts = replies.prefix(2000).map { reply -> RESPValue? in try? reply.get() }
        #expect(counts == (1...2000).map { RESPValue.integer(Int64($0)) })
        #expect(try replies[2000].get() == .simpleString("OK"))
        #expect(try replies[2001].get() == .bulk("v"))
        #expect(try replies[2002].get() == .null)
        #expect(harness.sync { redis.value.establishedCount } == 1)
        close(harness, redis)
    }

    @Test func theHandshakeAgreesOnRESP3AndMapsComeBackAsMaps() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server)
        let replies = try #require(send(harness, redis, [["HSET", "h", "a", "1"], ["HGETALL", "h"]]))
        #expect(try replies[1].get() == .map([RESPMapEntry(key: .bulk("a"), value: .bulk("1"))]))
        #expect(harness.sync { redis.value.protocolVersion } == .resp3)
        close(harness, redis)
    }

    @Test func aResp2ConnectionSkipsHelloAndGetsFlatArrays() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server) { $0.protocolVersion = .resp2 }
        let replies = try #require(send(harness, redis, [["HSET", "h", "a", "1"], ["HGETALL", "h"], ["CLIENT", "INFO"]]))
        #expect(try replies[1].get() == .array([.bulk("a"), .bulk("1")]))
        #expect(try replies[2].get().text?.contains("resp=2") == true)
        #expect(harness.sync { redis.value.protocolVersion } == .resp2)
        close(harness, redis)
    }

    @Test func aPasswordIsSentInTheHandshakeAndAWrongOneMakesCommandsFail() throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "s3cret"])
        let harness = try RedisLoopHarness()
        let good = connection(harness, server) { $0.credentials = RedisCredentials(password: "s3cret") }
        #expect(try send(harness, good, [["SET", "a", "1"]])?.first?.get() == .simpleString("OK"))
        let resp2 = connection(harness, server) {
            $0.credentials = RedisCredentials(password: "s3cret")
            $0.protocolVersion = .resp2
        }
        #expect(try send(harness, resp2, [["GET", "a"]])?.first?.get() == .bulk("1"))

        let wrong = connection(harness, server) { $0.credentials = RedisCredentials(password: "nope") }
        let refused = try #require(send(harness, wrong, [["GET", "a"]])?.first)
        guard case .failure(.unavailable(let reason)) = refused else {
            Issue.record("expected the command to fail as unavailable, got \(refused)")
            return
        }
        #expect(reason.contains("WRONGPASS"))
        #expect(!reason.contains("nope"))
        let missing = connection(harness, server)
        #expect(throws: RedisFailure.self) { try send(harness, missing, [["GET", "a"]])?.first?.get() }
        for redis in [good, resp2, wrong, missing] { harness.sync { redis.value.close() } }
        harness.shutDown()
    }

    @Test func selectChoosesTheConfiguredDatabase() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server) { $0.database = 3 }
        _ = try #require(send(harness, redis, [["SET", "in-three", "yes"]]))
        #expect(try server.admin().commands([["SELECT", "3"], ["GET", "in-three"]]).last == .bulk("yes"))
        #expect(try server.admin().command(["GET", "in-three"]) == .null)
        close(harness, redis)
    }

    @Test func aHostNameIsResolvedAndDialled() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server) { $0.address = RedisNodeAddress(host: "localhost", port: server.port) }
        #expect(try send(harness, redis, [["PING"]])?.first?.get() == .simpleString("PONG"))
        close(harness, redis)
    }

    @Test func aCommandPastItsTimeoutFailsAndTheConnectionIsReestablished() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server)
        #expect(try send(harness, redis, [["PING"]])?.first?.get() == .simpleString("PONG"))
        // The server stops answering clients for a while; a command sent now gets no reply in time.
        try server.admin().command(["CLIENT", "PAUSE", "400"])
        let stalled = try #require(send(harness, redis, [["INCR", "x"], ["INCR", "x"]], timeout: .milliseconds(100)))
        #expect(stalled.allSatisfy { if case .failure(.timeout) = $0 { true } else { false } })
        // The same connection object serves again once the server answers: a new TCP connection.
        #expect(poll(seconds: 10) { (try? send(harness, redis, [["GET", "x"]])?.first?.get()) != nil })
        #expect(harness.sync { redis.value.establishedCount } == 2)
        close(harness, redis)
    }

    @Test func aKilledServerFailsCommandsAndARestartedOneIsReconnected() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server) { $0.reconnectBackoff = Backoff(base: .milliseconds(20), max: .milliseconds(200)) }
        #expect(try send(harness, redis, [["SET", "k", "1"]])?.first?.get() == .simpleString("OK"))
        server.kill()
        let failed = try #require(send(harness, redis, [["GET", "k"], ["GET", "k"]]))
        // Sent before or after the connection noticed the server's death: lost or unavailable.
        for reply in failed {
            switch reply {
            case .failure(.connectionLost), .failure(.unavailable): break
            default: Issue.record("expected a lost or unavailable connection, got \(reply)")
            }
        }
        try server.start()
        #expect(poll(seconds: 10) { (try? send(harness, redis, [["PING"]])?.first?.get()) == .simpleString("PONG") })
        #expect(harness.sync { redis.value.establishedCount } == 2)
        close(harness, redis)
    }

    @Test func nothingListeningFailsCommandsPromptlyAsUnavailable() throws {
        let harness = try RedisLoopHarness()
        let port = try FreePort.pick()
        let redis = LoopBound(RedisConnection(loop: harness.loop, configuration: RedisConnectionConfiguration(
            address: RedisNodeAddress(host: "127.0.0.1", port: port))))
        let replies = try #require(send(harness, redis, [["PING"]]))
        guard case .failure(.unavailable(let reason)) = replies[0] else {
            Issue.record("expected unavailable, got \(replies[0])")
            return
        }
        #expect(reason.contains("refused"))
        // While waiting to reconnect, commands fail at once instead of waiting for a timeout.
        let again = try #require(send(harness, redis, [["PING"]], timeout: .seconds(30)))
        if case .failure(.unavailable) = again[0] {} else { Issue.record("expected unavailable, got \(again[0])") }
        close(harness, redis)
    }

    @Test func aFailureKnownAtOnceIsDeliveredAfterSendReturns() throws {
        let harness = try RedisLoopHarness()
        let port = try FreePort.pick()
        let redis = LoopBound(RedisConnection(loop: harness.loop, configuration: RedisConnectionConfiguration(
            address: RedisNodeAddress(host: "127.0.0.1", port: port))))
        _ = try #require(send(harness, redis, [["PING"]]))  // refused: now waiting to reconnect
        let returnedFirst = harness.run { (done: @escaping @Sendable (Bool) -> Void) in
            let returned = LoopBound(Flag())
            redis.value.send(RedisCommand(words: ["PING"])) { _ in done(returned.value.isSet) }
            returned.value.isSet = true
        }
        #expect(returnedFirst == true)
        close(harness, redis)
    }

    @Test func closeFailsPendingCommandsAndLaterOnes() throws {
        let server = try RedisServerProcess()
        let harness = try RedisLoopHarness()
        let redis = connection(harness, server)
        try server.admin().command(["CLIENT", "PAUSE", "300"])
        let replies = try #require(harness.run { (done: @escaping @Sendable ([Reply]) -> Void) in
            let box = LoopBound(IndexedReplies<RESPValue>(expected: 2, done: done))
            redis.value.send(RedisCommand(words: ["PING"])) { box.value.set(0, $0) }
            redis.value.close()
            redis.value.send(RedisCommand(words: ["PING"])) { box.value.set(1, $0) }
        })
        #expect(replies.allSatisfy { $0 == .failure(.closed) })
        harness.shutDown()
    }
}

/// A loop-confined boolean, for observing the order of events on the loop.
final class Flag {
    var isSet = false
}
