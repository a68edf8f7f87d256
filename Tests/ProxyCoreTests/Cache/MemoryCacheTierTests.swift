import Testing
@testable import ProxyCore

/// The memory tier: LRU within bounds of bytes and entries, TTL against explicit instants.
@Suite struct MemoryCacheTierTests {
    static func at(_ seconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: seconds * 1_000_000_000) }

    static func key(_ number: Int) -> CacheKey {
        CacheKey(route: "r", backend: "b", model: "m", path: "/", scope: "s", namespace: "", canonicalBody: Array(String(number).utf8))
    }

    static func answer(_ size: Int, at seconds: UInt64 = 0) -> CachedAnswer {
        CachedAnswer(form: .json, body: Array(repeating: UInt8(ascii: "x"), count: size), usage: TokenUsage(prompt: 1, completion: 1),
                     storedAt: at(seconds))
    }

    @Test func anEntryIsServedUntilItsExpiryThenDropped() {
        let tier = MemoryCacheTier(config: CacheMemoryConfig())
        #expect(tier.store(Self.answer(10), for: Self.key(1), until: Self.at(60)) == .stored)
        #expect(tier.lookup(Self.key(1), at: Self.at(59))?.body.count == 10)
        #expect(tier.lookup(Self.key(2), at: Self.at(59)) == nil)
        #expect(tier.lookup(Self.key(1), at: Self.at(60)) == nil)
        #expect(tier.entries == 0 && tier.bytes == 0)
        #expect(tier.evictionsExpired == 1)
    }

    @Test func theLeastRecentlyUsedEntryGoesFirst() {
        // One entry: one shard.
        let tier = MemoryCacheTier(config: CacheMemoryConfig(maxBytes: 1 << 20, maxEntries: 1, maxEntryBytes: 1000))
        _ = tier.store(Self.answer(10), for: Self.key(1), until: Self.at(60))
        _ = tier.store(Self.answer(10), for: Self.key(2), until: Self.at(60))
        #expect(tier.lookup(Self.key(1), at: Self.at(1)) == nil)
        #expect(tier.lookup(Self.key(2), at: Self.at(1)) != nil)
        #expect(tier.evictionsForRoom == 1)
    }

    @Test func aHitMakesAnEntryRecent() {
        // 32 entries over 16 shards: two per shard. Three keys of one shard.
        let tier = MemoryCacheTier(config: CacheMemoryConfig(maxBytes: 1 << 20, maxEntries: 32, maxEntryBytes: 1000))
        let shard = Self.key(0).a % UInt64(MemoryCacheTier.shardCount)
        let sameShard = Array((0..<1000).map(Self.key).filter { $0.a % UInt64(MemoryCacheTier.shardCount) == shard }.prefix(3))
        _ = tier.store(Self.answer(10), for: sameShard[0], until: Self.at(60))
        _ = tier.store(Self.answer(10), for: sameShard[1], until: Self.at(60))
        #expect(tier.lookup(sameShard[0], at: Self.at(1)) != nil)
        _ = tier.store(Self.answer(10), for: sameShard[2], until: Self.at(60))
        #expect(tier.lookup(sameShard[0], at: Self.at(1)) != nil, "used last, kept")
        #expect(tier.lookup(sameShard[1], at: Self.at(1)) == nil, "least recently used, evicted")
    }

    @Test func replacingAnEntryKeepsTheCountsRight() {
        let tier = MemoryCacheTier(config: CacheMemoryConfig())
        _ = tier.store(Self.answer(10), for: Self.key(1), until: Self.at(60))
        _ = tier.store(Self.answer(30), for: Self.key(1), until: Self.at(60))
        #expect(tier.entries == 1)
        #expect(tier.bytes == 30 + CachedAnswer.overheadBytes)
        tier.remove(Self.key(1))
        #expect(tier.entries == 0 && tier.bytes == 0)
        #expect(tier.lookup(Self.key(1), at: Self.at(1)) == nil)
    }

    @Test func anAnswerLargerThanTheEntryLimitIsNotKept() {
        let tier = MemoryCacheTier(config: CacheMemoryConfig(maxBytes: 1 << 20, maxEntries: 100, maxEntryBytes: 100))
        #expect(tier.store(Self.answer(101), for: Self.key(1), until: Self.at(60)) == .tooLarge)
        #expect(tier.entries == 0)
    }

    @Test func theBoundsHoldUnderAHundredThousandDistinctEntries() {
        let config = CacheMemoryConfig(maxBytes: 2 << 20, maxEntries: 5_000, maxEntryBytes: 4096)
        let tier = MemoryCacheTier(config: config)
        for number in 0..<100_000 {
            _ = tier.store(Self.answer(number % 500), for: Self.key(number), until: Self.at(3600))
            if number % 10_000 == 0 {
                #expect(tier.bytes <= config.maxBytes && tier.entries <= config.maxEntries)
            }
        }
        #expect(tier.bytes <= config.maxBytes)
        #expect(tier.entries <= config.maxEntries)
        #expect(tier.evictionsForRoom == UInt64(100_000 - tier.entries))
        #expect(tier.lookup(Self.key(99_999), at: Self.at(1)) != nil, "the newest entry is there")
        #expect(tier.lookup(Self.key(0), at: Self.at(1)) == nil, "the oldest is gone")
    }
}
