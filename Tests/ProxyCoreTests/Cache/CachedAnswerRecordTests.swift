import Testing
@testable import ProxyCore

/// The Redis tier's record: what is written is read back exactly; anything else is no record.
@Suite struct CachedAnswerRecordTests {
    static let body = Array(#"{"id":"x","choices":[]}"#.utf8)

    @Test(arguments: [
        TokenUsage(),
        TokenUsage(prompt: 12, completion: 300),
        TokenUsage(prompt: 0, completion: 1 << 40, cached: 127, reasoning: 128),
    ])
    func aRecordReadsBackExactly(usage: TokenUsage) throws {
        let record = CachedAnswerRecord(form: .eventStream, body: Self.body, usage: usage, storedAtMilliseconds: 1_765_000_000_123,
                                        expiresAtMilliseconds: 1_765_003_600_123)
        let bytes = record.encoded()
        let read = try #require(CachedAnswerRecord.decode(bytes))
        #expect(read.form == .eventStream && read.body == Self.body && read.usage == usage)
        #expect(read.storedAtMilliseconds == 1_765_000_000_123 && read.expiresAtMilliseconds == 1_765_003_600_123)
        #expect(bytes.count - Self.body.count <= 20 + 4 * 6, "compact: a small header on the body")
    }

    @Test func aJSONAnswerWithAnEmptyBodyReadsBack() throws {
        let record = CachedAnswerRecord(form: .json, body: [], usage: TokenUsage(prompt: 1), storedAtMilliseconds: 0, expiresAtMilliseconds: 1)
        let read = try #require(CachedAnswerRecord.decode(record.encoded()))
        #expect(read.form == .json && read.body.isEmpty && read.usage == TokenUsage(prompt: 1))
    }

    @Test func bytesThatAreNotARecordAreRefused() {
        let good = CachedAnswerRecord(form: .json, body: Self.body, usage: TokenUsage(prompt: 5, completion: 6),
                                      storedAtMilliseconds: 1, expiresAtMilliseconds: 2).encoded()
        #expect(CachedAnswerRecord.decode(Array("hello".utf8)) == nil)
        #expect(CachedAnswerRecord.decode(Array(good.prefix(19))) == nil, "a cut header")
        var otherVersion = good
        otherVersion[1] = 2
        #expect(CachedAnswerRecord.decode(otherVersion) == nil)
        var badForm = good
        badForm[2] = 7
        #expect(CachedAnswerRecord.decode(badForm) == nil)
        var unknownCounts = good
        unknownCounts[19] |= 0x10
        #expect(CachedAnswerRecord.decode(unknownCounts) == nil)
        // A varint running past the end, and one too long for an Int.
        let header = Array(good.prefix(19)) + [0x01]
        #expect(CachedAnswerRecord.decode(header + [0x80]) == nil)
        #expect(CachedAnswerRecord.decode(header + Array(repeating: 0xFF, count: 9) + [0x01]) == nil)
    }

    @Test func theRedisKeyIsThePrefixAndTheKeyInHex() {
        let key = CacheKey(a: 1, b: 0xABCDEF, c: .max, d: 0)
        #expect(String(decoding: key.redisKey(prefix: "sluice:ns:gw"), as: UTF8.self)
                == "sluice:ns:gw:cache:0000000000000001" + "0000000000abcdef" + "ffffffffffffffff" + "0000000000000000")
    }
}
