import Testing
@testable import ProxyCore

/// What `GET /v1/models` lists: names, never patterns.
@Suite struct ModelCatalogTests {
    @Test func patternsAreNotListedButTheModelMapKeysTheyAcceptAre() throws {
        let backends = #"""
            {"name": "openai", "provider": "openai", "baseURL": "https://api.openai.com/v1", "models": {"gpt-4o": "gpt-4o-2024-08-06", "fast": "gpt-4o-mini"}},
            {"name": "deepseek", "provider": "deepseek", "baseURL": "https://api.deepseek.com", "models": {"deepseek-chat": "deepseek-chat"}}
            """#
        let routes = #"""
            {"name": "gpt", "match": {"model": {"glob": "gpt-*"}}, "split": [{"backend": "openai", "weight": 1}],
             "fallback": {"chain": [{"backend": "deepseek", "model": "deepseek-chat"}]}},
            {"name": "named", "match": {"models": ["r1", "v3"]}, "split": [{"backend": "deepseek", "weight": 1}]}
            """#
        let config = try decodeValidConfig(configText(backends: backends, routes: routes))
        let catalog = ModelCatalog(config: config, table: try RouteTable(config))
        // "fast" and "deepseek-chat" are map keys the glob refuses; "gpt-*" itself is no name.
        #expect(catalog.models == ["gpt-4o", "r1", "v3"])
        #expect(catalog.contains("r1") && !catalog.contains("gpt-*"))
    }
}
