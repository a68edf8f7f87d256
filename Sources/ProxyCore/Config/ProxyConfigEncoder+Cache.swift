/// `routes[i].cache` and the top-level `cache`, as `ProxyConfigDecoding+Cache` reads them.
extension ProxyConfigEncoder {
    static func json(_ cache: RouteCacheConfig) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("mode", .string(cache.mode.rawValue)),
            ("ttl", .string(cache.ttl.configString)),
        ]
        if let ttl = cache.memoryTTL { members.append(("memoryTTL", .string(ttl.configString))) }
        if let ttl = cache.redisTTL { members.append(("redisTTL", .string(ttl.configString))) }
        if !cache.redis { members.append(("redis", .bool(false))) }
        members += [
            ("scope", .string(cache.scope.rawValue)),
            ("ignoreFields", .array(cache.ignoreFields.map { .string($0) })),
            ("allow", .object(JSONObject([("multipleChoices", .bool(cache.allowMultipleChoices)),
                                          ("toolCalls", .bool(cache.allowToolCalls)),
                                          ("logprobs", .bool(cache.allowLogprobs))]))),
        ]
        if cache.chargeHits != .none { members.append(("chargeHits", .string(cache.chargeHits.rawValue))) }
        if let semantic = cache.semantic { members.append(("semantic", json(semantic))) }
        return .object(JSONObject(members))
    }

    static func json(_ semantic: SemanticCacheConfig) -> JSONValue {
        .object(JSONObject([
            ("backend", .string(semantic.backend)),
            ("model", .string(semantic.model)),
            ("threshold", .number(JSONNumber(literal: "\(semantic.threshold)"))),
            ("embed", .string(semantic.embed.rawValue)),
            ("maxEntries", .number(JSONNumber(semantic.maxEntries))),
            ("timeout", .string(semantic.timeout.configString)),
        ]))
    }

    /// The top-level `cache`, written only when it differs from the default.
    static func cacheMembers(_ config: ProxyConfig) -> [(key: String, value: JSONValue)] {
        guard config.cache != .default else { return [] }
        return [("cache", .object(JSONObject([("memory", .object(JSONObject([
            ("maxBytes", .number(JSONNumber(config.cache.maxBytes))),
            ("maxEntries", .number(JSONNumber(config.cache.maxEntries))),
            ("maxEntryBytes", .number(JSONNumber(config.cache.maxEntryBytes))),
        ])))])))]
    }
}
