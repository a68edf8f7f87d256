import Testing
@testable import ProxyCore

/// `routes[].cache` and `cache.memory`: defaults, every field, precise errors, round trip.
@Suite struct ConfigCacheDecoderTests {
    static func route(_ cache: String) -> String {
        #"{"name": "default", "split": [{"backend": "openai", "weight": 1}], "cache": \#(cache)}"#
    }

    @Test func anEmptyCacheBlockCachesDeterministicRequestsPerConsumerForAnHour() throws {
        let config = try decodeValidConfig(configText(routes: Self.route("{}")))
        #expect(config.routes[0].cache == RouteCacheConfig())
        #expect(config.routes[0].cache?.ttl == .seconds(3600))
        #expect(config.cache == .default)
        #expect(try decodeValidConfig(configText()).routes[0].cache == nil, "no block, no cache")
    }

    @Test func everyFieldDecodesAndRoundTrips() throws {
        let text = configText(extra: #""cache": {"memory": {"maxBytes": 16777216, "maxEntries": 500, "maxEntryBytes": 65536}}"#,
                              routes: Self.route(#"{"mode": "always", "ttl": "10m", "scope": "shared", "ignoreFields": ["user", "trace_id"], "allow": {"multipleChoices": true, "toolCalls": true, "logprobs": true}, "chargeHits": "usage"}"#))
        let config = try decodeValidConfig(text)
        #expect(config.routes[0].cache == RouteCacheConfig(mode: .always, ttl: .seconds(600), scope: .shared, ignoreFields: ["user", "trace_id"],
                                                           allowMultipleChoices: true, allowToolCalls: true, allowLogprobs: true,
                                                           chargeHits: .usage))
        #expect(config.cache == CacheMemoryConfig(maxBytes: 16 << 20, maxEntries: 500, maxEntryBytes: 65536))
        #expect(try configTestDecoder.decode(ProxyConfigEncoder.text(config)) == config)
        #expect(!ProxyConfigEncoder.text(try decodeValidConfig(configText())).contains("\"cache\""), "defaults are not written")
    }

    @Test(arguments: [
        (route(#"{"mode": "sometimes"}"#), #"routes[0].cache.mode: "sometimes" is not one of "off", "deterministic", "always""#),
        (route(#"{"scope": "team"}"#), #"routes[0].cache.scope: "team" is not one of "consumer", "shared""#),
        (route(#"{"chargeHits": "tokens"}"#), #"routes[0].cache.chargeHits: "tokens" is not one of "none", "usage""#),
        (route(#"{"ttl": "721h"}"#), "routes[0].cache.ttl: must be at most 720h (30 days)"),
        (route(#"{"ignoreFields": ["messages"]}"#), #"routes[0].cache.ignoreFields[0]: "messages" determines the answer; it cannot be left out of the key"#),
        (route(#"{"allow": {"tools": true}}"#), #"routes[0].cache.allow.tools: unknown field; expected one of "multipleChoices", "toolCalls", "logprobs""#),
    ])
    func badRouteCacheFieldsAreNamed(routes: String, issue: String) {
        #expect(configIssues(configText(routes: routes)) == [issue])
    }

    @Test func tierTTLsAndTheRedisSwitchDecodeAndRoundTrip() throws {
        let text = configText(extra: #""redis": {"addresses": ["127.0.0.1:6379"]}"#,
                              routes: Self.route(#"{"ttl": "10m", "memoryTTL": "1m", "redisTTL": "2h"}"#))
        let config = try decodeValidConfig(text)
        let cache = try #require(config.routes[0].cache)
        #expect(cache.ttl(of: .memory) == .seconds(60) && cache.ttl(of: .redis) == .seconds(7200) && cache.redis)
        #expect(try configTestDecoder.decode(ProxyConfigEncoder.text(config)) == config)
        let off = try decodeValidConfig(configText(routes: Self.route(#"{"ttl": "5m", "redis": false}"#)))
        #expect(off.routes[0].cache?.redis == false && off.routes[0].cache?.ttl(of: .redis) == .seconds(300))
        #expect(try configTestDecoder.decode(ProxyConfigEncoder.text(off)) == off)
    }

    @Test(arguments: [
        (configText(routes: route(#"{"redisTTL": "2h"}"#)), "routes[0].cache.redisTTL: is set but the config has no top-level redis for the Redis tier"),
        (configText(extra: #""redis": {"addresses": ["127.0.0.1:6379"]}"#, routes: route(#"{"redis": false, "redisTTL": "2h"}"#)),
         "routes[0].cache.redisTTL: is set but the route does not use the Redis tier (redis: false)"),
        (configText(routes: route(#"{"memoryTTL": "721h"}"#)), "routes[0].cache.memoryTTL: must be at most 720h (30 days)"),
    ])
    func aRedisTTLWithoutARedisTierIsRefused(text: String, issue: String) {
        #expect(configIssues(text) == [issue])
    }

    @Test func anEntryLargerThanAShardIsRefused() {
        #expect(configIssues(configText(extra: #""cache": {"memory": {"maxBytes": 1048576, "maxEntryBytes": 1048576}}"#))
                == ["cache.memory.maxEntryBytes: must be at most maxBytes / 16 (65536): the tier is 16 shards and an entry must fit one"])
    }
}
