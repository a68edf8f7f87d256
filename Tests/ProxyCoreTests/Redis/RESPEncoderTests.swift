import ProxyCore
import Testing

@Suite struct RESPEncoderTests {
    @Test func aCommandIsAnArrayOfBulkStrings() {
        var output: [UInt8] = []
        RedisCommand("SET", "key", "a b\r\n").encode(into: &output)
        #expect(output == bytes("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\na b\r\n\r\n"))
        #expect(RedisCommand("set", "k").name == "SET")
        #expect(RedisCommand.argument(-42) == bytes("-42"))
    }

    static let values: [RESPValue] = [
        .simpleString("OK"), .error("ERR x"), .error("multi\r\nline"), .integer(.min), .integer(.max), .bulk("a\r\nb"),
        .bulkString([0, 255, 13, 10]), .null, .array([]), .array([.integer(1), .array([.null, .bulk("")])]),
        .map([RESPMapEntry(key: .bulk("k"), value: .set([.boolean(true), .boolean(false)]))]),
        .double(1.5), .double(-0.0), .double(1e300), .double(.leastNonzeroMagnitude), .double(.infinity), .double(-.infinity),
        .bigNumber("-123456789012345678901234567890"), .verbatim(format: "txt", text: bytes("hi\r\n")),
        .push([.simpleString("invalidate"), .array([.bulk("key")])]),
    ]

    @Test(arguments: values)
    func resp3ValuesReadBackAsThemselves(_ value: RESPValue) throws {
        var output: [UInt8] = []
        RESPEncoder.append(value, version: .resp3, to: &output)
        #expect(try decodeAll(output) == [value])
    }

    @Test func resp2WritesResp3OnlyTypesTheWayRedisDoes() throws {
        func resp2(_ value: RESPValue) throws -> [RESPValue] {
            var output: [UInt8] = []
            RESPEncoder.append(value, version: .resp2, to: &output)
            return try decodeAll(output)
        }
        #expect(try resp2(.null) == [.null])
        #expect(try resp2(.map([RESPMapEntry(key: .bulk("a"), value: .integer(1))])) == [.array([.bulk("a"), .integer(1)])])
        #expect(try resp2(.set([.bulk("x")])) == [.array([.bulk("x")])])
        #expect(try resp2(.boolean(true)) == [.integer(1)])
        #expect(try resp2(.double(2.5)) == [.bulk("2.5")])
        #expect(try resp2(.bigNumber("99")) == [.bulk("99")])
        #expect(try resp2(.verbatim(format: "txt", text: bytes("t"))) == [.bulk("t")])
        #expect(try resp2(.error("a\nb")) == [.error("a b")])
    }
}
