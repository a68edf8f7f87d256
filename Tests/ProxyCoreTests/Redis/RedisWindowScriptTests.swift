import ProxyCore
import Testing

@Suite struct RedisWindowScriptTests {
    let key = RedisCounterKey(prefix: "sluice:gw", owner: "team-a", counter: "rpm")

    @Test func keysOfOneOwnerShareTheirHashTag() {
        #expect(key.description == "sluice:gw:{team-a}:rpm")
        let other = RedisCounterKey(prefix: "sluice:gw", owner: "team-a", counter: "tokens-per-day")
        #expect(key.slot == other.slot)
        #expect(key.slot == RedisKeySlot.slot(of: Array("team-a".utf8)))
        // A brace inside the owner name ends the tag at the same place for all its keys.
        let odd = RedisCounterKey(prefix: "p", owner: "a}b", counter: "x")
        #expect(odd.slot == RedisCounterKey(prefix: "q", owner: "a}b", counter: "y").slot)
    }

    @Test func evalshaCarriesTheKeyAndTheWindowArguments() {
        let command = RedisWindowScript.evalSHA("abc", key: key, window: .sliding(.seconds(60)), delta: 5, limit: 100)
        #expect(command.arguments.map { String(decoding: $0, as: UTF8.self) } ==
                ["EVALSHA", "abc", "1", "sluice:gw:{team-a}:rpm", "0", "60000", "5", "100"])
        let eval = RedisWindowScript.eval(key: key, window: .lifetime(.seconds(1)), delta: -3, limit: nil)
        #expect(eval.arguments[1] == Array(RedisWindowScript.source.utf8))
        #expect(eval.arguments.suffix(4).map { String(decoding: $0, as: UTF8.self) } == ["2", "1000", "-3", "-1"])
        // A window shorter than a millisecond counts as one.
        #expect(RedisWindow.fixed(.zero).milliseconds == 1)
    }

    @Test func repliesDecodeIntoCounts() {
        #expect(RedisWindowScript.decode(.array([.integer(1), .integer(7), .integer(1500), .integer(0)])) ==
                RedisWindowCount(granted: 1, count: 7, resetAfter: .milliseconds(1500), retryAfter: .zero))
        #expect(RedisWindowScript.decode(.array([.integer(0), .integer(10), .integer(-5), .integer(40)]))?.resetAfter == .zero)
        #expect(RedisWindowScript.decode(.array([.integer(1), .integer(2), .integer(3)])) == nil)
        #expect(RedisWindowScript.decode(.array([.integer(1), .bulk("2"), .integer(3), .integer(4)])) == nil)
        #expect(RedisWindowScript.decode(.error("ERR")) == nil)
    }
}
