import ProxyCore

/// An `LLMGateway`: which pods get a config, their ports, request defaults (see docs/crds.md).
/// Defaults the API server would apply are applied here too, so files read by `render` mean
/// the same as objects read from a cluster.
package struct LLMGateway: Hashable, Sendable {
    package struct LabelRequirement: Hashable, Sendable {
        package var key: String
        package var op: String
        package var values: [String]
    }

    package struct Spec: Hashable, Sendable {
        package var matchLabels: [String: String] = [:]
        package var matchExpressions: [LabelRequirement] = []
        package var appPort = 4000
        package var adminPort = 4001
        package var metricsPort = 4090
        package var configMapName: String?
        package var timeouts = TimeoutsSpec()
        package var retryAttempts = 0
        package var retryBackoff = BackoffSpec()
        package var allowAnonymous = false
        /// `authentication.anonymous`: limits shared by requests without a consumer key.
        package var anonymousLimits: LimitsSpec?
        package var redis: RedisSpec?
        package var accessLogEnabled = true
        package var accessLogSampleRate = JSONNumber(1)
        /// The sidecar's memory cache tier (`spec.cache.memory`).
        package var cacheMemory = CacheMemoryConfig.default
        /// `spec.defaults.priorities`: priority classes for backend queues.
        package var priorities: PriorityConfig?
    }

    package var meta: ResourceMeta
    package var spec: Spec

    /// The ConfigMap this gateway renders to: `spec.configMapName`, else `sluice-<name>`.
    package var configMapName: String { spec.configMapName ?? "sluice-\(meta.name)" }

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["podSelector", "listeners", "configMapName", "defaults",
                                                                "authentication", "redis", "accessLog", "cache"],
                                    required: ["podSelector"])
        else { return nil }
        let before = d.issues.count
        var spec = Spec()
        if let selector = d.optionalObject(object["podSelector"], at: object.path("podSelector"), allowed: ["matchLabels", "matchExpressions"]) {
            spec.matchLabels = Dictionary(uniqueKeysWithValues: d.stringMap(selector["matchLabels"], at: selector.path("matchLabels"))?.map { ($0.key, $0.value) } ?? [])
            let path = selector.path("matchExpressions")
            for (index, element) in (d.array(selector["matchExpressions"], at: path, max: 16) ?? []).enumerated() {
                guard let requirement = d.object(element, at: JSONPath.element(path, index), allowed: ["key", "operator", "values"],
                                                 required: ["key", "operator"]),
                      let key = d.string(requirement["key"], at: requirement.path("key"), maxLength: 317, nonEmpty: true),
                      let op = d.choice(requirement["operator"], at: requirement.path("operator"), ["In", "NotIn", "Exists", "DoesNotExist"])
                else { continue }
                var values: [String] = []
                for (valueIndex, item) in (d.array(requirement["values"], at: requirement.path("values"), max: 64) ?? []).enumerated() {
                    if let text = d.string(item, at: JSONPath.element(requirement.path("values"), valueIndex)) { values.append(text) }
                }
                if (op == "In" || op == "NotIn") == values.isEmpty {
                    d.report(requirement.path("values"), op == "In" || op == "NotIn" ? "\(op) needs at least one value" : "\(op) takes no values")
                }
                spec.matchExpressions.append(LabelRequirement(key: key, op: op, values: values))
            }
            if spec.matchLabels.isEmpty && spec.matchExpressions.isEmpty {
                d.report(selector.path, "must not be empty: an empty selector would configure every pod of the namespace")
            }
        }
        if let listeners = d.optionalObject(object["listeners"], at: object.path("listeners"), allowed: ["app", "admin", "metrics"]) {
            spec.appPort = d.integer(listeners["app"], at: listeners.path("app"), in: 1...65535) ?? spec.appPort
            spec.adminPort = d.integer(listeners["admin"], at: listeners.path("admin"), in: 1...65535) ?? spec.adminPort
            spec.metricsPort = d.integer(listeners["metrics"], at: listeners.path("metrics"), in: 1...65535) ?? spec.metricsPort
            if Set([spec.appPort, spec.adminPort, spec.metricsPort]).count != 3 {
                d.report(listeners.path, "the app, admin and metrics ports must differ")
            }
        }
        if let name = object["configMapName"] { spec.configMapName = d.objectName(name, at: object.path("configMapName")) }
        if let defaults = d.optionalObject(object["defaults"], at: object.path("defaults"), allowed: ["timeouts", "retry", "priorities"]) {
            spec.timeouts = TimeoutsSpec.decode(defaults["timeouts"], at: defaults.path("timeouts"), withRequest: false, decoding: &d) ?? TimeoutsSpec()
            if let retry = d.optionalObject(defaults["retry"], at: defaults.path("retry"), allowed: ["attempts", "backoff"]) {
                spec.retryAttempts = d.integer(retry["attempts"], at: retry.path("attempts"), in: 0...10) ?? spec.retryAttempts
                spec.retryBackoff = BackoffSpec.decode(retry["backoff"], at: retry.path("backoff"), decoding: &d) ?? BackoffSpec()
            }
            if defaults["priorities"] != nil { spec.priorities = decodePriorities(defaults["priorities"], at: defaults.path("priorities"), decoding: &d) }
        }
        if let authentication = d.optionalObject(object["authentication"], at: object.path("authentication"), allowed: ["allowAnonymous", "anonymous"]) {
            spec.allowAnonymous = d.bool(authentication["allowAnonymous"], at: authentication.path("allowAnonymous")) ?? false
            if let anonymous = d.optionalObject(authentication["anonymous"], at: authentication.path("anonymous"), allowed: LimitsSpec.fields) {
                spec.anonymousLimits = LimitsSpec.decode(anonymous, decoding: &d)
            }
        }
        spec.redis = RedisSpec.decode(object["redis"], at: object.path("redis"), decoding: &d)
        if let log = d.optionalObject(object["accessLog"], at: object.path("accessLog"), allowed: ["enabled", "sampleRate"]) {
            spec.accessLogEnabled = d.bool(log["enabled"], at: log.path("enabled")) ?? true
            spec.accessLogSampleRate = d.nonNegativeNumber(log["sampleRate"], at: log.path("sampleRate"), max: 1) ?? JSONNumber(1)
        }
        if let cache = d.optionalObject(object["cache"], at: object.path("cache"), allowed: ["memory"]),
           let memory = d.optionalObject(cache["memory"], at: cache.path("memory"), allowed: ["maxBytes", "maxEntries", "maxEntryBytes"]) {
            let maxBytes = d.integer(memory["maxBytes"], at: memory.path("maxBytes"), in: (1 << 20)...CacheMemoryConfig.maxBytesLimit)
                ?? CacheMemoryConfig.defaultMaxBytes
            let maxEntries = d.integer(memory["maxEntries"], at: memory.path("maxEntries"), in: 1...CacheMemoryConfig.maxEntriesLimit)
                ?? CacheMemoryConfig.defaultMaxEntries
            let maxEntryBytes = d.integer(memory["maxEntryBytes"], at: memory.path("maxEntryBytes"), in: 1...CacheMemoryConfig.maxBytesLimit)
                ?? CacheMemoryConfig.defaultMaxEntryBytes
            if maxEntryBytes > maxBytes / MemoryCacheTier.shardCount {
                d.report(memory.path("maxEntryBytes"), "must be at most maxBytes / \(MemoryCacheTier.shardCount) (\(maxBytes / MemoryCacheTier.shardCount)): the tier is \(MemoryCacheTier.shardCount) shards and an entry must fit one")
            }
            spec.cacheMemory = CacheMemoryConfig(maxBytes: maxBytes, maxEntries: maxEntries, maxEntryBytes: maxEntryBytes)
        }
        return d.issues.count == before ? spec : nil
    }
}
