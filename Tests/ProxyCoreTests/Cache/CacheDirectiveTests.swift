import Testing
@testable import ProxyCore

/// The per-request cache headers.
@Suite struct CacheDirectiveTests {
    static func parse(_ fields: [(String, String)]) -> Result<CacheDirective, CacheHeaderError> {
        CacheDirective.parse(HTTPHeaders(fields.map { (name: $0.0, value: $0.1) }))
    }

    @Test func noHeadersLookUpAndStore() throws {
        let directive = try Self.parse([]).get()
        #expect(directive.lookup && directive.store && !directive.refresh && directive.ttl == nil && directive.namespace == "")
    }

    @Test func eachValueSaysWhetherToLookUpAndStore() throws {
        let noCache = try Self.parse([("X-Sluice-Cache", "no-cache")]).get()
        #expect(!noCache.lookup && noCache.store)
        let noStore = try Self.parse([("x-sluice-cache", "no-store")]).get()
        #expect(noStore.lookup && !noStore.store)
        let refresh = try Self.parse([("x-sluice-cache", "refresh")]).get()
        #expect(!refresh.lookup && refresh.store && refresh.refresh)
        let both = try Self.parse([("x-sluice-cache", "no-cache , NO-STORE")]).get()
        #expect(!both.lookup && !both.store)
        let standard = try Self.parse([("cache-control", "max-age=0, no-cache"), ("cache-control", "no-store")]).get()
        #expect(!standard.lookup && !standard.store)
    }

    @Test func ttlAndNamespaceAreRead() throws {
        let directive = try Self.parse([("x-sluice-cache-ttl", "10m"), ("x-sluice-cache-namespace", "tenant-7")]).get()
        #expect(directive.ttl == .seconds(600))
        #expect(directive.namespace == "tenant-7")
    }

    @Test func badValuesAreRefusedWithTheHeaderNamed() {
        for fields in [[("x-sluice-cache", "sometimes")], [("x-sluice-cache-ttl", "soon")], [("x-sluice-cache-ttl", "0s")],
                       [("x-sluice-cache-namespace", "")], [("x-sluice-cache-namespace", "a b")],
                       [("x-sluice-cache-namespace", String(repeating: "n", count: 129))]] {
            guard case .failure(let error) = Self.parse(fields) else {
                Issue.record("accepted \(fields)")
                continue
            }
            #expect(error.message.hasPrefix(fields[0].0))
        }
    }
}
