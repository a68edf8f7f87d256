import ProxyCore

/// An `LLMRoute`: rules attached to gateways by `parentRefs` (see docs/crds.md).
package struct LLMRoute: Hashable, Sendable {
    package struct Match: Hashable, Sendable {
        package var path: String?
        package var model: ModelMatch?
        package var headers: [HeaderMatch] = []
    }

    package struct BackendRef: Hashable, Sendable {
        package var name: String
        package var weight: Int
        package var model: String?
    }

    package struct Retry: Hashable, Sendable {
        package var attempts: Int?
        package var statuses: [StatusMatch] = [.code(429), .code(502), .code(503), .code(504)]
        package var backoff = BackoffSpec()
        package var honorRetryAfter = true
        package var budgetPercent = 20
        package var budgetWindow = ProxyDuration.seconds(10)
        package var maxAttemptsPerRequest = 5
    }

    package struct Fallback: Hashable, Sendable {
        package var chain: [BackendRef] = []
        package var statuses: [StatusMatch] = [.code(429), .statusClass(5)]
        package var connectFailure = true
        package var timeout = true
        package var truncation = false
        package var streamBufferMaxDelay: ProxyDuration?
        package var streamBufferMaxBytes: Int?
    }

    package struct Rule: Hashable, Sendable {
        /// `name`, or the rule's index as text.
        package var name: String
        package var matches: [Match] = []
        package var backendRefs: [BackendRef] = []
        package var stickyHeader: String?
        package var fallback: Fallback?
        package var retry: Retry?
        package var timeouts = TimeoutsSpec()
        /// The response cache; nil when the rule has none or `enabled: false`.
        package var cache: RouteCacheConfig?
        package var guardPolicy: String?
        /// `auto` model names, candidates naming LLMBackends by name (`LLMRoute+Auto.swift`).
        package var auto: [AutoModelConfig] = []
    }

    package struct Spec: Hashable, Sendable {
        package var parentRefs: [ParentRef] = []
        package var rules: [Rule] = []
    }

    package var meta: ResourceMeta
    package var spec: Spec

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["parentRefs", "rules"], required: ["parentRefs", "rules"]) else { return nil }
        let before = d.issues.count
        var spec = Spec()
        spec.parentRefs = ParentRef.decodeList(object["parentRefs"], at: object.path("parentRefs"), decoding: &d) ?? []
        let rulesPath = object.path("rules")
        for (index, element) in (d.array(object["rules"], at: rulesPath, min: 1, max: 32) ?? []).enumerated() {
            if let rule = decodeRule(element, index: index, at: JSONPath.element(rulesPath, index), decoding: &d) {
                if spec.rules.contains(where: { $0.name == rule.name }) {
                    d.report(JSONPath.element(rulesPath, index) + ".name", "duplicate rule name \(SpecDecoding.quoted(rule.name))")
                }
                spec.rules.append(rule)
            }
        }
        return d.issues.count == before ? spec : nil
    }

    private static func decodeRule(_ value: JSONValue, index: Int, at path: String, decoding d: inout SpecDecoding) -> Rule? {
        guard let object = d.object(value, at: path, allowed: ["name", "matches", "backendRefs", "sticky", "fallback", "retry", "timeouts",
                                                             "cache", "guardPolicyRef", "auto"],
                                    required: ["backendRefs"])
        else { return nil }
        var rule = Rule(name: String(index))
        if let name = object["name"] {
            if let text = d.objectName(name, at: object.path("name"), maxLength: 63), !text.contains(".") {
                rule.name = text
            } else if name.string?.contains(".") == true {
                d.report(object.path("name"), "a rule name may not contain \".\"")
            }
        }
        let matchesPath = object.path("matches")
        for (matchIndex, element) in (d.array(object["matches"], at: matchesPath, max: 8) ?? []).enumerated() {
            if let match = decodeMatch(element, at: JSONPath.element(matchesPath, matchIndex), decoding: &d) { rule.matches.append(match) }
        }
        let refsPath = object.path("backendRefs")
        if let refs = d.array(object["backendRefs"], at: refsPath, min: 1, max: 16) {
            for (refIndex, element) in refs.enumerated() {
                let refPath = JSONPath.element(refsPath, refIndex)
                guard let ref = d.object(element, at: refPath, allowed: ["name", "weight", "model"], required: ["name"]),
                      let name = d.objectName(ref["name"], at: ref.path("name"), maxLength: 63)
                else { continue }
                let weight = ref["weight"] == nil ? 1 : d.integer(ref["weight"], at: ref.path("weight"), in: 0...1_000_000)
                let model = d.string(ref["model"], at: ref.path("model"), maxLength: 256, nonEmpty: true)
                if let weight { rule.backendRefs.append(BackendRef(name: name, weight: weight, model: model)) }
            }
        }
        if let sticky = d.optionalObject(object["sticky"], at: object.path("sticky"), allowed: ["header"], required: ["header"]) {
            rule.stickyHeader = headerName(sticky["header"], at: sticky.path("header"), decoding: &d)
        }
        if object["fallback"] != nil { rule.fallback = decodeFallback(object["fallback"], at: object.path("fallback"), decoding: &d) }
        if object["retry"] != nil { rule.retry = decodeRetry(object["retry"], at: object.path("retry"), decoding: &d) }
        rule.timeouts = TimeoutsSpec.decode(object["timeouts"], at: object.path("timeouts"), withRequest: true, decoding: &d) ?? TimeoutsSpec()
        if let cache = d.optionalObject(object["cache"], at: object.path("cache"),
                                        allowed: ["enabled", "mode", "ttl", "memoryTTL", "redisTTL", "redis", "scope", "ignoreFields", "allow",
                                                  "chargeHits", "semantic"]) {
            rule.cache = decodeCache(cache, decoding: &d)
        }
        if let guardRef = d.optionalObject(object["guardPolicyRef"], at: object.path("guardPolicyRef"), allowed: ["name"], required: ["name"]) {
            rule.guardPolicy = d.objectName(guardRef["name"], at: guardRef.path("name"))
        }
        if object["auto"] != nil { rule.auto = decodeAuto(object["auto"], at: object.path("auto"), decoding: &d) }
        return rule
    }

    /// `cache`: the sidecar's `routes[].cache` under CRD names; `enabled: false` is no cache.
    private static func decodeCache(_ cache: SpecObject, decoding d: inout SpecDecoding) -> RouteCacheConfig? {
        let enabled = d.bool(cache["enabled"], at: cache.path("enabled")) ?? true
        let mode = d.choice(cache["mode"], at: cache.path("mode"), ["deterministic", "always"]).flatMap(RouteCacheConfig.Mode.init(rawValue:))
        var ttls: [ProxyDuration?] = []
        for key in ["ttl", "memoryTTL", "redisTTL"] {
            let ttl = d.duration(cache[key], at: cache.path(key))
            if let ttl, ttl > RouteCacheConfig.maxTTL { d.report(cache.path(key), "must be at most 720h (30 days)") }
            ttls.append(ttl)
        }
        let redis = d.bool(cache["redis"], at: cache.path("redis")) ?? true
        if !redis, ttls[2] != nil { d.report(cache.path("redisTTL"), "is set but the rule does not use the Redis tier (redis: false)") }
        let scope = d.choice(cache["scope"], at: cache.path("scope"), ["consumer", "shared"]).flatMap(RouteCacheConfig.Scope.init(rawValue:))
        var ignoreFields: [String]?
        if cache["ignoreFields"] != nil {
            ignoreFields = []
            for (index, element) in (d.array(cache["ignoreFields"], at: cache.path("ignoreFields"), max: 32) ?? []).enumerated() {
                let path = JSONPath.element(cache.path("ignoreFields"), index)
                guard let field = d.string(element, at: path, maxLength: 128, nonEmpty: true) else { continue }
                if RouteCacheConfig.keyFields.contains(field) {
                    d.report(path, "\(SpecDecoding.quoted(field)) determines the answer; it cannot be left out of the key")
                } else {
                    ignoreFields?.append(field)
                }
            }
        }
        var allow = (multipleChoices: false, toolCalls: false, logprobs: false)
        if let allowed = d.optionalObject(cache["allow"], at: cache.path("allow"), allowed: ["multipleChoices", "toolCalls", "logprobs"]) {
            allow.multipleChoices = d.bool(allowed["multipleChoices"], at: allowed.path("multipleChoices")) ?? false
            allow.toolCalls = d.bool(allowed["toolCalls"], at: allowed.path("toolCalls")) ?? false
            allow.logprobs = d.bool(allowed["logprobs"], at: allowed.path("logprobs")) ?? false
        }
        let chargeHits = d.choice(cache["chargeHits"], at: cache.path("chargeHits"), ["none", "usage"])
            .flatMap(RouteCacheConfig.HitCharge.init(rawValue:)) ?? RouteCacheConfig.HitCharge.none
        let semantic = d.optionalObject(cache["semantic"], at: cache.path("semantic"),
                                        allowed: ["backendRef", "model", "threshold", "embed", "maxEntries", "timeout"],
                                        required: ["backendRef", "model"]).flatMap { decodeSemantic($0, decoding: &d) }
        guard enabled else { return nil }
        return RouteCacheConfig(mode: mode ?? .deterministic, ttl: ttls[0] ?? RouteCacheConfig.defaultTTL, memoryTTL: ttls[1],
                                redisTTL: ttls[2], redis: redis, scope: scope ?? .consumer,
                                ignoreFields: ignoreFields ?? RouteCacheConfig.defaultIgnoreFields,
                                allowMultipleChoices: allow.multipleChoices, allowToolCalls: allow.toolCalls, allowLogprobs: allow.logprobs,
                                chargeHits: chargeHits, semantic: semantic)
    }

    /// `cache.semantic`: the sidecar's `routes[].cache.semantic`, its embeddings backend an LLMBackend by name.
    private static func decodeSemantic(_ semantic: SpecObject, decoding d: inout SpecDecoding) -> SemanticCacheConfig? {
        let before = d.issues.count
        let backend = d.optionalObject(semantic["backendRef"], at: semantic.path("backendRef"), allowed: ["name"], required: ["name"])
            .flatMap { d.objectName($0["name"], at: $0.path("name"), maxLength: 63) }
        let model = d.string(semantic["model"], at: semantic.path("model"), maxLength: 256, nonEmpty: true)
        var threshold = SemanticCacheConfig.defaultThreshold
        if let number = d.nonNegativeNumber(semantic["threshold"], at: semantic.path("threshold"), max: 1), let value = number.double {
            if value > 0 { threshold = value } else { d.report(semantic.path("threshold"), "must be greater than 0") }
        }
        let embed = d.choice(semantic["embed"], at: semantic.path("embed"), SemanticCacheConfig.Embed.allCases.map(\.rawValue))
            .flatMap(SemanticCacheConfig.Embed.init(rawValue:))
        let maxEntries = d.integer(semantic["maxEntries"], at: semantic.path("maxEntries"), in: 1...SemanticCacheConfig.maxEntriesLimit)
        let timeout = d.duration(semantic["timeout"], at: semantic.path("timeout"))
        if let timeout, timeout > SemanticCacheConfig.maxTimeout { d.report(semantic.path("timeout"), "must be at most 30s") }
        guard d.issues.count == before, let backend, let model else { return nil }
        return SemanticCacheConfig(backend: backend, model: model, threshold: threshold, embed: embed ?? .lastUserMessage,
                                   maxEntries: maxEntries ?? SemanticCacheConfig.defaultMaxEntries,
                                   timeout: timeout ?? SemanticCacheConfig.defaultTimeout)
    }

    private static func decodeMatch(_ value: JSONValue, at path: String, decoding d: inout SpecDecoding) -> Match? {
        guard let object = d.object(value, at: path, allowed: ["path", "model", "headers"]) else { return nil }
        var match = Match()
        if let text = d.string(object["path"], at: object.path("path"), maxLength: 1024) {
            if text.hasPrefix("/"), !text.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) {
                match.path = text
            } else {
                d.report(object.path("path"), "\(SpecDecoding.quoted(text)) is not a request path; expected one starting with \"/\", without query")
            }
        }
        if let model = d.optionalObject(object["model"], at: object.path("model"), allowed: ["exact", "prefix", "glob", "regex"]) {
            let present = ["exact", "prefix", "glob", "regex"].filter { model[$0] != nil }
            if present.count != 1 {
                d.report(model.path, "set exactly one of \"exact\", \"prefix\", \"glob\", \"regex\"; found " + (present.isEmpty ? "none" : present.joined(separator: " and ")))
            } else if let text = d.string(model[present[0]], at: model.path(present[0]), maxLength: present[0] == "regex" ? 1024 : 256, nonEmpty: true) {
                switch present[0] {
                case "exact": match.model = .exact(text)
                case "prefix": match.model = .prefix(text)
                case "glob": match.model = .glob(text)
                default: match.model = .regex(text)
                }
            }
        }
        let headersPath = object.path("headers")
        for (index, element) in (d.array(object["headers"], at: headersPath, max: 16) ?? []).enumerated() {
            if let header = decodeHeaderMatch(element, at: JSONPath.element(headersPath, index), decoding: &d) { match.headers.append(header) }
        }
        return match
    }

    /// `{name, exact | regex | present}`.
    static func decodeHeaderMatch(_ element: JSONValue, at headerPath: String, decoding d: inout SpecDecoding) -> HeaderMatch? {
        guard let header = d.object(element, at: headerPath, allowed: ["name", "exact", "regex", "present"], required: ["name"]),
              let name = headerName(header["name"], at: header.path("name"), decoding: &d)
        else { return nil }
        let present = ["exact", "regex", "present"].filter { header[$0] != nil }
        guard present.count == 1 else {
            d.report(headerPath, "set exactly one of \"exact\", \"regex\", \"present\"; found " + (present.isEmpty ? "none" : present.joined(separator: " and ")))
            return nil
        }
        switch present[0] {
        case "exact":
            return d.string(header["exact"], at: header.path("exact")).map { HeaderMatch(name: name, condition: .exact($0)) }
        case "regex":
            return d.string(header["regex"], at: header.path("regex"), maxLength: 1024, nonEmpty: true).map { HeaderMatch(name: name, condition: .regex($0)) }
        default:
            return d.bool(header["present"], at: header.path("present")).map { HeaderMatch(name: name, condition: .present($0)) }
        }
    }

    private static func headerName(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> String? {
        guard let text = d.string(value, at: path, maxLength: 256, nonEmpty: true) else { return nil }
        guard SpecDecoding.isToken(text) else {
            d.report(path, "\(SpecDecoding.quoted(text)) is not a valid header name")
            return nil
        }
        return text
    }

    private static func decodeFallback(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> Fallback? {
        guard let object = d.object(value, at: path, allowed: ["chain", "triggers", "streamBuffer"], required: ["chain"]) else { return nil }
        var fallback = Fallback()
        let chainPath = object.path("chain")
        for (index, element) in (d.array(object["chain"], at: chainPath, min: 1, max: 8) ?? []).enumerated() {
            let entryPath = JSONPath.element(chainPath, index)
            guard let entry = d.object(element, at: entryPath, allowed: ["backendRef", "model"], required: ["backendRef"]),
                  let ref = d.object(entry["backendRef"], at: entry.path("backendRef"), allowed: ["name"], required: ["name"]),
                  let name = d.objectName(ref["name"], at: ref.path("name"), maxLength: 63)
            else { continue }
            fallback.chain.append(BackendRef(name: name, weight: 1, model: d.string(entry["model"], at: entry.path("model"), maxLength: 256, nonEmpty: true)))
        }
        if let triggers = d.optionalObject(object["triggers"], at: object.path("triggers"), allowed: ["statuses", "connectFailure", "timeout", "truncation"]) {
            fallback.statuses = StatusMatch.decodeList(triggers["statuses"], at: triggers.path("statuses"), defaultValue: fallback.statuses, decoding: &d) ?? []
            fallback.connectFailure = d.bool(triggers["connectFailure"], at: triggers.path("connectFailure")) ?? true
            fallback.timeout = d.bool(triggers["timeout"], at: triggers.path("timeout")) ?? true
            fallback.truncation = d.bool(triggers["truncation"], at: triggers.path("truncation")) ?? false
        }
        if let buffer = d.optionalObject(object["streamBuffer"], at: object.path("streamBuffer"), allowed: ["maxDelay", "maxBytes"]) {
            fallback.streamBufferMaxDelay = d.duration(buffer["maxDelay"], at: buffer.path("maxDelay")) ?? .milliseconds(500)
            fallback.streamBufferMaxBytes = d.integer(buffer["maxBytes"], at: buffer.path("maxBytes"), in: 1...1_048_576) ?? 4096
        }
        return fallback
    }

    private static func decodeRetry(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> Retry? {
        guard let object = d.object(value, at: path, allowed: ["attempts", "statuses", "backoff", "honorRetryAfter", "budgetPercent",
                                                             "budgetWindow", "maxAttemptsPerRequest"])
        else { return nil }
        var retry = Retry()
        retry.attempts = d.integer(object["attempts"], at: object.path("attempts"), in: 0...10)
        retry.statuses = StatusMatch.decodeList(object["statuses"], at: object.path("statuses"), defaultValue: retry.statuses, decoding: &d) ?? []
        retry.backoff = BackoffSpec.decode(object["backoff"], at: object.path("backoff"), decoding: &d) ?? BackoffSpec()
        retry.honorRetryAfter = d.bool(object["honorRetryAfter"], at: object.path("honorRetryAfter")) ?? true
        retry.budgetPercent = d.integer(object["budgetPercent"], at: object.path("budgetPercent"), in: 0...100) ?? 20
        retry.budgetWindow = d.duration(object["budgetWindow"], at: object.path("budgetWindow")) ?? .seconds(10)
        retry.maxAttemptsPerRequest = d.integer(object["maxAttemptsPerRequest"], at: object.path("maxAttemptsPerRequest"), in: 1...20) ?? 5
        return retry
    }
}
