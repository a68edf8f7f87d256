import Testing
@testable import ProxyCore

/// `redis`: defaults, every field, precise errors, round trip.
@Suite struct ConfigRedisDecoderTests {
    static var decoder: ProxyConfigDecoder { ProxyConfigDecoder(fileExists: { configTestSecrets.contains($0) || $0 == "redis/password" }) }

    static let full = #"""
        "redis": {"addresses": ["redis-0.redis:6379", "10.0.0.2:7000", "[::1]:6380"], "cluster": true, "username": "sluice",
                  "passwordFile": "redis/password", "tls": {"caFile": "ca.pem", "serverName": "redis.internal"},
                  "timeout": "50ms", "failMode": "closed", "mode": "sync", "syncInterval": "20ms", "keyPrefix": "sluice:team-a:gw"}
        """#

    @Test func withoutRedisLimitsAreInProcess() throws {
        #expect(try decodeValidConfig(configText()).redis == nil)
    }

    @Test func onlyTheAddressesAreRequiredAndTheDefaultsAreStrictFailOpenDetected() throws {
        let config = try decodeValidConfig(configText(extra: #""redis": {"addresses": ["127.0.0.1:6379"]}"#))
        #expect(config.redis == RedisConfig(addresses: [RedisNodeAddress(host: "127.0.0.1", port: 6379)]))
        #expect(config.redis?.topology == .detect)
        #expect(config.redis?.failMode == .open)
        #expect(config.redis?.mode == .strict)
        #expect(config.redis?.timeout == .milliseconds(250))
        #expect(config.redis?.keyPrefix == "sluice")
    }

    @Test func everyRedisFieldDecodes() throws {
        let config = try decodeValidConfig(configText(extra: Self.full), decoder: Self.decoder)
        #expect(config.redis == RedisConfig(
            addresses: [RedisNodeAddress(host: "redis-0.redis", port: 6379), RedisNodeAddress(host: "10.0.0.2", port: 7000),
                        RedisNodeAddress(host: "::1", port: 6380)],
            topology: .cluster, username: "sluice", passwordFile: "redis/password",
            tls: RedisTLSConfig(caFile: "ca.pem", serverName: "redis.internal"), timeout: .milliseconds(50), failMode: .closed,
            mode: .sync, syncInterval: .milliseconds(20), keyPrefix: "sluice:team-a:gw"))
        let standalone = try decodeValidConfig(configText(extra: #""redis": {"addresses": ["r:1"], "cluster": false}"#))
        #expect(standalone.redis?.topology == .standalone)
    }

    @Test func theEncoderWritesRedisSoTheDecoderReadsTheSameConfig() throws {
        for extra in [Self.full, #""redis": {"addresses": ["127.0.0.1:6379"]}"#, #""redis": {"addresses": ["r:1"], "cluster": false}"#] {
            let config = try decodeValidConfig(configText(extra: extra), decoder: Self.decoder)
            #expect(try Self.decoder.decode(ProxyConfigEncoder.text(config)) == config)
        }
        #expect(!ProxyConfigEncoder.text(try decodeValidConfig(configText())).contains("redis"), "no Redis, nothing written")
    }

    @Test(arguments: [
        (#""redis": {}"#, "redis.addresses: required field is missing"),
        (#""redis": {"addresses": []}"#, "redis.addresses: expected at least one host:port"),
        (#""redis": {"addresses": ["redis://r:6379"]}"#,
         #"redis.addresses[0]: "redis://r:6379" is not host:port with a port from 1 to 65535 (no scheme: TLS is the tls field, the password passwordFile)"#),
        (#""redis": {"addresses": ["r"]}"#,
         #"redis.addresses[0]: "r" is not host:port with a port from 1 to 65535 (no scheme: TLS is the tls field, the password passwordFile)"#),
        (#""redis": {"addresses": ["r:1", "r:1"]}"#, #"redis.addresses[1]: duplicate address "r:1""#),
        (#""redis": {"addresses": ["r:1"], "password": "hunter2"}"#,
         #"redis.password: unknown field; expected one of "addresses", "cluster", "username", "passwordFile", "tls", "timeout", "failMode", "mode", "syncInterval", "keyPrefix""#),
        (#""redis": {"addresses": ["r:1"], "passwordFile": "redis/missing"}"#,
         #"redis.passwordFile: "redis/missing" does not exist in the secrets directory"#),
        (#""redis": {"addresses": ["r:1"], "failMode": "deny"}"#, #"redis.failMode: "deny" is not one of "open", "closed""#),
        (#""redis": {"addresses": ["r:1"], "mode": "async"}"#, #"redis.mode: "async" is not one of "strict", "sync""#),
        (#""redis": {"addresses": ["r:1"], "timeout": "20s"}"#,
         #"redis.timeout: 20s is longer than the maximum "10s": a request would wait that long for its limit"#),
        (#""redis": {"addresses": ["r:1"], "mode": "sync", "syncInterval": "1ms"}"#, #"redis.syncInterval: 1ms is outside "5ms" to "60s""#),
        (#""redis": {"addresses": ["r:1"], "keyPrefix": "a{b"}"#,
         #"redis.keyPrefix: "a{b" must be at most 200 printable ASCII characters without spaces, "{" or "}" (the consumer's name is the key's hash tag)"#),
        (#""redis": {"addresses": ["r:1"], "tls": {"caFiles": "ca.pem"}}"#, #"redis.tls.caFiles: unknown field; did you mean "caFile"?"#),
    ])
    func aBadRedisFieldIsReportedWhereItIs(extra: String, issue: String) {
        #expect(configIssues(configText(extra: extra), decoder: Self.decoder) == [issue])
    }
}
