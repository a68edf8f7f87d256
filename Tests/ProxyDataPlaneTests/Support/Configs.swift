/// Proxy configs for the level-2 tests: two backends on unreachable addresses (the scripted
/// upstream answers), a route with a fallback chain.
enum Configs {
    static func twoBackends(primaryTimeouts: String = "{}", retryAttempts: Int = 2, route: String = "", extra: String = "") -> String {
        """
        {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
         "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
         "backends": [
           {"name": "primary", "provider": "openai", "baseURL": "http://127.0.0.1:9/v1", "timeouts": \(primaryTimeouts),
            "prices": {"gpt-4o-mini": {"input": 1, "output": 2, "currency": "USD"}}},
           {"name": "spare", "provider": "openai", "baseURL": "http://127.0.0.1:9/spare/v1"}
         ],
         "routes": [
           {"name": "r", "split": [{"backend": "primary", "weight": 1}],
            "retry": {"attempts": \(retryAttempts), "backoff": {"base": "100ms", "max": "1s"}, "honorRetryAfter": true, "budgetPercent": 100},
            "fallback": {"chain": [{"backend": "spare"}], "on": {"statuses": [429, "5xx"], "connectFailure": true, "timeout": true}}
            \(route)}
         ]\(extra)}
        """
    }

    /// Two consumers: `search` (two keys; gpt-4o* only; 2 requests a minute) and `support`
    /// (one key; any model; no limit).
    static let consumers = """
        , "consumers": [
          {"name": "search", "keysDirectory": "consumers/search", "allowedModels": ["gpt-4o*"],
           "rateLimits": {"requestsPerMinute": 2}},
          {"name": "support", "keysDirectory": "consumers/support"}
        ]
        """

    /// The key files of `consumers`.
    static let consumerKeys = ["consumers/search/current": "sk-search-1\n", "consumers/search/next": "sk-search-2",
                               "consumers/support/current": "sk-support"]
}

/// A deterministic SSE answer of `events` chunks, each a `chat.completion.chunk` with `text`.
enum Streams {
    static func chat(events: Int, text: String = "lorem ipsum dolor sit amet ") -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events * (text.utf8.count + 120))
        for index in 0..<events {
            out += Array(#"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\#(text)\#(index)"},"finish_reason":null}]}"#.utf8)
            out += [0x0A, 0x0A]
        }
        out += Array(#"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#.utf8)
        out += Array("\n\ndata: [DONE]\n\n".utf8)
        return out
    }

    /// `bytes` cut into pieces of pseudo-random sizes between 1 and `maxPiece`.
    static func pieces(_ bytes: [UInt8], maxPiece: Int, seed: UInt64) -> [[UInt8]] {
        var state = seed
        var out: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let size = 1 + Int((state >> 33) % UInt64(maxPiece))
            let end = min(bytes.count, start + size)
            out.append(Array(bytes[start..<end]))
            start = end
        }
        return out
    }
}
