/// `routes[i].cache` and the top-level `cache` (the memory tier's bounds).
extension ProxyConfigDecoding {
    static let routeCacheKeys = ["mode", "ttl", "memoryTTL", "redisTTL", "redis", "scope", "ignoreFields", "allow", "chargeHits", "semantic"]
    static let cacheAllowKeys = ["multipleChoices", "toolCalls", "logprobs"]
    static let semanticKeys = ["backend", "model", "threshold", "embed", "maxEntries", "timeout"]
    static let cacheMemoryKeys = ["maxBytes", "maxEntries", "maxEntryBytes"]

    mutating func decodeRouteCache(_ value: JSONValue, at path: String) -> RouteCacheConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.routeCacheKeys, issues: &issues) else { return nil }
        let before = issues.count
        let mode: RouteCacheConfig.Mode = oneOf(object["mode"], at: object.path("mode"), required: false) ?? .deterministic
        let ttl = duration(object["ttl"], at: object.path("ttl")) ?? RouteCacheConfig.defaultTTL
        var tierTTLs: [ProxyDuration?] = []
        for (key, value) in [("ttl", Optional(ttl)), ("memoryTTL", nil), ("redisTTL", nil)] {
            let parsed = value ?? duration(object[key], at: object.path(key))
            if let parsed, parsed > RouteCacheConfig.maxTTL { report(object.path(key), "must be at most 720h (30 days)") }
            if key != "ttl" { tierTTLs.append(parsed) }
        }
        let redis = bool(object["redis"], at: object.path("redis")) ?? true
        if !redis, tierTTLs[1] != nil { report(object.path("redisTTL"), "is set but the route does not use the Redis tier (redis: false)") }
        let scope: RouteCacheConfig.Scope = oneOf(object["scope"], at: object.path("scope"), required: false) ?? .consumer
        var ignoreFields = RouteCacheConfig.defaultIgnoreFields
        if let value = object["ignoreFields"] {
            ignoreFields = []
            if case .array(let list) = value {
                for (index, element) in list.enumerated() {
                    let elementPath = JSONPath.element(object.path("ignoreFields"), index)
                    guard let field = string(element, at: elementPath, required: true) else { continue }
                    if RouteCacheConfig.keyFields.contains(field) {
                        report(elementPath, "\(ConfigIssue.quoted(field)) determines the answer; it cannot be left out of the key")
                    } else {
                        ignoreFields.append(field)
                    }
                }
            } else {
                report(object.path("ignoreFields"), "expected an array of top-level field names, found \(ConfigIssue.found(value))")
            }
        }
        var allow = (multipleChoices: false, toolCalls: false, logprobs: false)
        if let value = object["allow"],
           let allowObject = ConfigObjectReader(value, at: object.path("allow"), allowed: Self.cacheAllowKeys, issues: &issues) {
            allow.multipleChoices = bool(allowObject["multipleChoices"], at: allowObject.path("multipleChoices")) ?? false
            allow.toolCalls = bool(allowObject["toolCalls"], at: allowObject.path("toolCalls")) ?? false
            allow.logprobs = bool(allowObject["logprobs"], at: allowObject.path("logprobs")) ?? false
        }
        let chargeHits: RouteCacheConfig.HitCharge = oneOf(object["chargeHits"], at: object.path("chargeHits"), required: false)
            ?? RouteCacheConfig.HitCharge.none
        let semantic = object["semantic"].flatMap { decodeSemantic($0, at: object.path("semantic")) }
        guard issues.count == before else { return nil }
        return RouteCacheConfig(mode: mode, ttl: ttl, memoryTTL: tierTTLs[0], redisTTL: tierTTLs[1], redis: redis, scope: scope, ignoreFields: ignoreFields,
                                allowMultipleChoices: allow.multipleChoices, allowToolCalls: allow.toolCalls,
                                allowLogprobs: allow.logprobs, chargeHits: chargeHits, semantic: semantic)
    }

    /// `routes[i].cache.semantic`; its backend is checked once every backend is known (`checkSemanticBackends`).
    mutating func decodeSemantic(_ value: JSONValue, at path: String) -> SemanticCacheConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.semanticKeys, issues: &issues) else { return nil }
        let before = issues.count
        let backend = string(object["backend"], at: object.path("backend"), required: true)
        let model = string(object["model"], at: object.path("model"), required: true)
        var threshold = SemanticCacheConfig.defaultThreshold
        if let value = object["threshold"] {
            if case .number(let number) = value, let parsed = number.double, parsed > 0, parsed <= 1 {
                threshold = parsed
            } else {
                report(object.path("threshold"), "\(ConfigIssue.found(value)) is not a similarity; expected a number greater than 0 and at most 1")
            }
        }
        let embed: SemanticCacheConfig.Embed = oneOf(object["embed"], at: object.path("embed"), required: false) ?? .lastUserMessage
        let maxEntries = integer(object["maxEntries"], at: object.path("maxEntries"), in: 1...SemanticCacheConfig.maxEntriesLimit,
                                 expected: "a positive integer", required: false) ?? SemanticCacheConfig.defaultMaxEntries
        let timeout = duration(object["timeout"], at: object.path("timeout")) ?? SemanticCacheConfig.defaultTimeout
        if timeout > SemanticCacheConfig.maxTimeout { report(object.path("timeout"), "must be at most 30s") }
        guard issues.count == before, let backend, let model else { return nil }
        return SemanticCacheConfig(backend: backend, model: model, threshold: threshold, embed: embed, maxEntries: maxEntries, timeout: timeout)
    }

    /// Each semantic tier's backend is a configured backend that serves OpenAI's embeddings API.
    mutating func checkSemanticBackends(routes: [RouteConfig?], backends: [BackendConfig?], at routesPath: String) {
        let backends = backends.compactMap { $0 }
        for (index, route) in routes.enumerated() {
            guard let semantic = route?.cache?.semantic else { continue }
            let path = JSONPath.member(JSONPath.member(JSONPath.member(JSONPath.element(routesPath, index), "cache"), "semantic"), "backend")
            guard let backend = backends.first(where: { $0.name == semantic.backend }) else {
                report(path, "unknown backend \(ConfigIssue.quoted(semantic.backend)); defined backends are "
                    + backends.map { ConfigIssue.quoted($0.name) }.joined(separator: ", "))
                continue
            }
            if backend.provider == .anthropic {
                report(path, "backend \(ConfigIssue.quoted(backend.name)) is an anthropic backend; the semantic tier needs OpenAI's /v1/embeddings")
            }
        }
    }

    /// A route's `cache.redisTTL` needs the top-level `redis` (the Redis tier lives there).
    mutating func checkCacheRedisTiers(_ routes: [RouteConfig?], redis: RedisConfig?, at path: String) {
        guard redis == nil else { return }
        for (index, route) in routes.enumerated() where route?.cache?.redisTTL != nil {
            report(JSONPath.member(JSONPath.member(JSONPath.element(path, index), "cache"), "redisTTL"),
                   "is set but the config has no top-level redis for the Redis tier")
        }
    }

    /// The top-level `cache`: `{"memory": {...}}`.
    mutating func decodeCache(_ value: JSONValue, at path: String) -> CacheMemoryConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["memory"], issues: &issues) else { return nil }
        guard let memory = object["memory"] else { return .default }
        guard let memoryObject = ConfigObjectReader(memory, at: object.path("memory"), allowed: Self.cacheMemoryKeys, issues: &issues)
        else { return nil }
        let before = issues.count
        let maxBytes = integer(memoryObject["maxBytes"], at: memoryObject.path("maxBytes"), in: 1 << 20...CacheMemoryConfig.maxBytesLimit,
                               expected: "a number of bytes from 1048576 (1 MiB)", required: false) ?? CacheMemoryConfig.defaultMaxBytes
        let maxEntries = integer(memoryObject["maxEntries"], at: memoryObject.path("maxEntries"), in: 1...CacheMemoryConfig.maxEntriesLimit,
                                 expected: "a positive integer", required: false) ?? CacheMemoryConfig.defaultMaxEntries
        let maxEntryBytes = integer(memoryObject["maxEntryBytes"], at: memoryObject.path("maxEntryBytes"), in: 1...Int.max,
                                    expected: "a positive integer", required: false) ?? CacheMemoryConfig.defaultMaxEntryBytes
        guard issues.count == before else { return nil }
        // The tier is 16 shards, each with its share of the bytes: an entry must fit one.
        if maxEntryBytes > maxBytes / MemoryCacheTier.shardCount {
            report(memoryObject.path("maxEntryBytes"),
                   "must be at most maxBytes / \(MemoryCacheTier.shardCount) (\(maxBytes / MemoryCacheTier.shardCount)): the tier is \(MemoryCacheTier.shardCount) shards and an entry must fit one")
            return nil
        }
        return CacheMemoryConfig(maxBytes: maxBytes, maxEntries: maxEntries, maxEntryBytes: maxEntryBytes)
    }
}
