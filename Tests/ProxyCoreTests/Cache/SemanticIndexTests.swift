import Testing
@testable import ProxyCore

/// The semantic tier's vectors and index: similarity, scope isolation, expiry, the bound.
@Suite struct SemanticIndexTests {
    static func at(_ seconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: seconds * 1_000_000_000) }

    static func key(_ text: String) -> CacheKey {
        CacheKey(route: "r", backend: "b", model: "m", path: "/", scope: "s", namespace: "", canonicalBody: Array(text.utf8))
    }

    static func vector(_ values: Double...) -> SemanticVector { SemanticVector(values)! }

    static func index(maxEntries: Int = 100) -> SemanticCacheIndex {
        SemanticCacheIndex(config: SemanticCacheConfig(backend: "e", model: "m", maxEntries: maxEntries))
    }

    @Test func vectorsAreNormalisedSoTheirDotProductIsTheCosine() {
        let a = Self.vector(3, 4)
        #expect(abs(a.similarity(to: a) - 1) < 1e-6)
        #expect(abs(a.similarity(to: Self.vector(4, -3))) < 1e-6)
        #expect(abs(a.similarity(to: Self.vector(-6, -8)) + 1) < 1e-6)
        // Past eight lanes, with a remainder: 1,536 dimensions of equal weight against half of them.
        let full = SemanticVector(Array(repeating: 1, count: 1536))!
        let half = SemanticVector(Array(repeating: 1, count: 768) + Array(repeating: 0, count: 768))!
        #expect(abs(full.similarity(to: half) - Float(768 / (1536 * 768 as Double).squareRoot())) < 1e-5)
        #expect(abs(Self.vector(1, 2, 3, 4, 5, 6, 7, 8, 9).similarity(to: Self.vector(1, 2, 3, 4, 5, 6, 7, 8, 9)) - 1) < 1e-6)
    }

    @Test func vectorsWithoutADirectionAreRefused() {
        #expect(SemanticVector([]) == nil)
        #expect(SemanticVector([0, 0]) == nil)
        #expect(SemanticVector([1, .nan]) == nil)
        #expect(SemanticVector([1, .infinity]) == nil)
        #expect(Self.vector(1, 0).similarity(to: Self.vector(1, 0, 0)) == -1)
    }

    @Test func theMostSimilarVectorOfTheScopeIsFound() {
        let index = Self.index()
        index.insert(Self.vector(1, 0, 0), scope: Self.key("s1"), entry: Self.key("a"), until: Self.at(60))
        index.insert(Self.vector(0.9, 0.1, 0), scope: Self.key("s1"), entry: Self.key("b"), until: Self.at(60))
        index.insert(Self.vector(0, 1, 0), scope: Self.key("s1"), entry: Self.key("c"), until: Self.at(60))
        let best = index.best(in: Self.key("s1"), for: Self.vector(1, 0.12, 0), at: Self.at(1))
        #expect(best?.entry == Self.key("b"))
        #expect(best.map { $0.similarity > 0.99 } == true)
        #expect(index.entries == 3)
    }

    @Test func anotherScopeIsNeverSearched() {
        let index = Self.index()
        index.insert(Self.vector(1, 0), scope: Self.key("s1"), entry: Self.key("a"), until: Self.at(60))
        #expect(index.best(in: Self.key("s2"), for: Self.vector(1, 0), at: Self.at(1)) == nil)
    }

    @Test func expiredVectorsAreSkipped() {
        let index = Self.index()
        index.insert(Self.vector(1, 0), scope: Self.key("s"), entry: Self.key("a"), until: Self.at(60))
        #expect(index.best(in: Self.key("s"), for: Self.vector(1, 0), at: Self.at(59)) != nil)
        #expect(index.best(in: Self.key("s"), for: Self.vector(1, 0), at: Self.at(60)) == nil)
    }

    @Test func anAnswerStoredAgainKeepsOneVector() {
        let index = Self.index()
        index.insert(Self.vector(1, 0), scope: Self.key("s"), entry: Self.key("a"), until: Self.at(60))
        index.insert(Self.vector(0, 1), scope: Self.key("s"), entry: Self.key("a"), until: Self.at(60))
        #expect(index.entries == 1)
        #expect(index.best(in: Self.key("s"), for: Self.vector(0, 1), at: Self.at(1)).map { $0.similarity > 0.99 } == true)
    }

    @Test func theBoundHoldsAndTheOldestVectorsGoFirst() {
        let shard = Self.key("e0").a % UInt64(SemanticCacheIndex.shardCount)
        // 32 entries over 16 shards: two per shard. Three answers of one shard.
        let index = Self.index(maxEntries: 32)
        var keys: [CacheKey] = []
        var candidate = 0
        while keys.count < 3 {
            let key = Self.key("e\(candidate)")
            if key.a % UInt64(SemanticCacheIndex.shardCount) == shard { keys.append(key) }
            candidate += 1
        }
        for (position, key) in keys.enumerated() {
            index.insert(Self.vector(1, Double(position)), scope: Self.key("s"), entry: key, until: Self.at(60))
        }
        #expect(index.entries == 2)
        #expect(index.evictions == 1)
        #expect(index.best(in: Self.key("s"), for: Self.vector(1, 0), at: Self.at(1))?.entry != keys[0])
        for number in 0..<1000 {
            index.insert(Self.vector(1, Double(number)), scope: Self.key("s"), entry: Self.key("many\(number)"), until: Self.at(60))
        }
        #expect(index.entries == 32)
    }

    @Test func aVectorRecordRoundTripsAndNoiseIsRefused() {
        let record = SemanticVectorRecord(vector: Self.vector(1, -2, 3.5), storedAtMilliseconds: 1_767_225_600_123)
        let bytes = record.encoded()
        #expect(bytes.count == 8 + 3 * 4)
        #expect(SemanticVectorRecord.decode(bytes) == record)
        #expect(SemanticVectorRecord.decode(Array(bytes.dropLast())) == nil)
        #expect(SemanticVectorRecord.decode(Array(bytes.prefix(8))) == nil)
        #expect(SemanticVectorRecord.decode(Array(bytes.prefix(8)) + [0, 0, 0, 0]) == nil, "no direction")
    }

    @Test func aScopesVectorsLiveUnderOneHashTag() {
        let key = String(decoding: Self.key("scope").semanticRedisKey(prefix: "sluice:ns:gw"), as: UTF8.self)
        #expect(key.hasPrefix("sluice:ns:gw:semantic:{") && key.hasSuffix("}") && key.count == "sluice:ns:gw:semantic:{}".count + 64)
        #expect(key.dropFirst("sluice:ns:gw:semantic:{".count).dropLast() == String(decoding: Self.key("scope").redisKey(prefix: "").dropFirst(7), as: UTF8.self))
    }

    @Test func aSimilarityWithinFloatRoundingOfTheThresholdIsAHit() {
        let exact = SemanticCacheConfig(backend: "e", model: "m", threshold: 1)
        #expect(exact.admits(0.9999999) && !exact.admits(0.9999))
        #expect(SemanticCacheConfig(backend: "e", model: "m").admits(0.95) && !SemanticCacheConfig(backend: "e", model: "m").admits(0.949))
    }

    @Test func anIndexIsKeptAcrossReloadsWhileItsSettingsStay() throws {
        let semantic = SemanticCacheConfig(backend: "e", model: "m")
        let existing = SemanticCacheIndex(config: semantic)
        func config(_ semantic: SemanticCacheConfig) throws -> ProxyConfig {
            ProxyConfig(backends: [BackendConfig(name: "e", provider: .openai, baseURL: try BackendURL.parse("http://127.0.0.1:1/v1").get())],
                        routes: [RouteConfig(name: "chat", split: [SplitEntryConfig(backend: "e", weight: 1)],
                                             cache: RouteCacheConfig(semantic: semantic))])
        }
        #expect(SemanticCacheIndex.reusing(["chat": existing], for: try config(semantic))[0] === existing)
        let changed = SemanticCacheIndex.reusing(["chat": existing], for: try config(SemanticCacheConfig(backend: "e", model: "m", threshold: 0.9)))
        #expect(changed[0] !== existing && changed[0] != nil)
    }
}
