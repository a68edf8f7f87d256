import ProxyCore
import Testing

@Suite struct RedisURLTests {
    @Test func schemesHostsPortsAndDatabasesAreRead() throws {
        let plain = try RedisURL(parsing: "redis://redis.sluice.svc:6380/2")
        #expect(plain.address == RedisNodeAddress(host: "redis.sluice.svc", port: 6380))
        #expect(!plain.usesTLS && plain.database == 2 && plain.username == nil)
        let tls = try RedisURL(parsing: "rediss://limits@10.0.0.5")
        #expect(tls.usesTLS && tls.username == "limits" && tls.address.port == 6379 && tls.database == 0)
        #expect(try RedisURL(parsing: "redis://[::1]:7000/").address == RedisNodeAddress(host: "::1", port: 7000))
        #expect(try RedisURL(parsing: "redis://[::1]").address == RedisNodeAddress(host: "::1", port: 6379))
        #expect(try RedisURL(parsing: "rediss://u@h:1/3").description == "rediss://u@h:1/3")
    }

    @Test(arguments: ["http://h:1", "redis:/h", "redis://", "redis://:6379", "redis://h:0", "redis://h:65536", "redis://h:x",
                      "redis://user:secret@h", "redis://@h", "redis://h/db", "redis://h/1/2", "redis://h?x=1", "redis://h:1#f"])
    func malformedOrInlineSecretURLsAreRefused(_ text: String) {
        #expect(throws: RedisURL.ParseError.self) { try RedisURL(parsing: text) }
    }

    @Test func aPasswordInTheURLIsRefusedWithoutBeingRepeated() {
        let error = #expect(throws: RedisURL.ParseError.self) { try RedisURL(parsing: "redis://user:hunter2@h") }
        #expect(error?.description.contains("secrets directory") == true)
        #expect(error?.description.contains("hunter2") == false)
    }
}
