import ProxyCore
import Testing

@Suite struct RedisRedirectionTests {
    @Test func movedAndAskAreRead() {
        #expect(RedisRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381") == .moved(slot: 3999, to: RedisNodeAddress(host: "127.0.0.1", port: 6381)))
        #expect(RedisRedirection(errorMessage: "ASK 0 10.0.0.2:7000") == .ask(slot: 0, to: RedisNodeAddress(host: "10.0.0.2", port: 7000)))
        #expect(RedisRedirection(errorMessage: "MOVED 16383 redis-0.redis:6379")?.target == RedisNodeAddress(host: "redis-0.redis", port: 6379))
        #expect(RedisRedirection(errorMessage: "ASK 5 10.0.0.2:7000")?.slot == 5)
    }

    @Test func ipv6AndUnknownHostsAreRead() {
        #expect(RedisRedirection(errorMessage: "MOVED 1 ::1:6379")?.target == RedisNodeAddress(host: "::1", port: 6379))
        #expect(RedisRedirection(errorMessage: "MOVED 1 [fe80::1]:6379")?.target == RedisNodeAddress(host: "fe80::1", port: 6379))
        // An empty or unknown endpoint means "the node that answered".
        let unknown = RedisRedirection(errorMessage: "MOVED 1 :6380")?.target
        #expect(unknown == RedisNodeAddress(host: "", port: 6380))
        #expect(unknown?.filling(host: "10.1.1.1") == RedisNodeAddress(host: "10.1.1.1", port: 6380))
        #expect(RedisRedirection(errorMessage: "ASK 1 ?:6380")?.target.host == "")
    }

    @Test(arguments: ["MOVED", "MOVED 1", "MOVED x 1.2.3.4:1", "MOVED 16384 1.2.3.4:1", "MOVED -1 1.2.3.4:1",
                      "MOVED 1 1.2.3.4", "MOVED 1 1.2.3.4:0", "MOVED 1 1.2.3.4:70000", "MOVED  1 1.2.3.4:1",
                      "MOVED 1 1.2.3.4:1 extra", "ERR MOVED 1 1.2.3.4:1", "moved 1 1.2.3.4:1", "MOVED +1 1.2.3.4:1",
                      "TRYAGAIN Multiple keys request during rehashing of slot"])
    func otherErrorsAreNotRedirections(_ message: String) {
        #expect(RedisRedirection(errorMessage: message) == nil)
    }

    @Test func nodeAddressesPrintBackTheirForm() {
        #expect(RedisNodeAddress("127.0.0.1:6379")?.description == "127.0.0.1:6379")
        #expect(RedisNodeAddress("[::1]:6379")?.description == "[::1]:6379")
        #expect(RedisNodeAddress("redis:6379") == RedisNodeAddress(host: "redis", port: 6379))
        #expect(RedisNodeAddress("redis") == nil)
        #expect(RedisNodeAddress("re dis:6379") == nil)
    }
}
