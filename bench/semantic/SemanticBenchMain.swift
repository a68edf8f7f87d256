// The semantic cache tier's exact search: time per lookup in one scope of N vectors of D
// dimensions (docs/adr, "semantic cache tier"). Built with ProxyCore's sources in one module
// (so no import); not a shipped binary.

@main
enum SemanticBench {
    static func main() {
        var random = SplitMix64(seed: 42)
        func vector(_ dimensions: Int) -> SemanticVector {
            SemanticVector((0..<dimensions).map { _ in Double(random.next() % 2001) / 1000 - 1 })!
        }
        func key(_ text: String) -> CacheKey {
            CacheKey(route: "r", backend: "b", model: "m", path: "/", scope: "s", namespace: "", canonicalBody: Array(text.utf8))
        }
        print("| vectors | dimensions | µs per lookup | index memory (vectors only) |")
        print("|---:|---:|---:|---:|")
        let clock = ContinuousClock()
        for (count, dimensions) in [(1_000, 1_536), (10_000, 1_536), (100_000, 384)] {
            let index = SemanticCacheIndex(config: SemanticCacheConfig(backend: "e", model: "m", maxEntries: count))
            let scope = key("scope")
            let expiry = ProxyInstant(nanoseconds: UInt64.max)
            for number in 0..<count { index.insert(vector(dimensions), scope: scope, entry: key("e\(number)"), until: expiry) }
            let queries = (0..<20).map { _ in vector(dimensions) }
            var found = 0
            let start = clock.now
            for query in queries where index.best(in: scope, for: query, at: ProxyInstant(nanoseconds: 1)) != nil { found += 1 }
            let elapsed = clock.now - start
            let micros = (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(queries.count)
            let mebibytes = Double(count * dimensions * 4) / 1_048_576
            print("| \(count) | \(dimensions) | \(Int(micros.rounded())) | \(Int(mebibytes.rounded())) MiB |")
            precondition(found == queries.count)
        }
    }
}
