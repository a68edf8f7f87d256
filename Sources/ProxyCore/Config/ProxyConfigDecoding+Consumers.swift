/// `consumers[]` and `authentication`.
extension ProxyConfigDecoding {
    /// The name the metrics and the access log give requests without a consumer; no consumer may take it.
    static let anonymousConsumer = ConsumerConfig.anonymousName
    static let consumerKeys = ["name", "keysDirectory", "allowedModels", "rateLimits", "quotas", "estimatedOutputTokens",
                               "midStreamExhaustion", "priority", "models"]
    static let quotaKeys = ["tokensPerDay", "tokensPerMonth", "costPerDay", "costPerMonth", "currency"]

    mutating func decodeConsumers(_ value: JSONValue, at path: String) -> [ConsumerConfig]? {
        guard case .array(let elements) = value else {
            report(path, "expected an array, found \(ConfigIssue.found(value))")
            return nil
        }
        var names: [(name: String, path: String)] = []
        var consumers: [ConsumerConfig?] = []
        for (index, element) in elements.enumerated() {
            consumers.append(decodeConsumer(element, at: JSONPath.element(path, index), names: &names))
        }
        guard consumers.allSatisfy({ $0 != nil }) else { return nil }
        return consumers.map { $0! }
    }

    private mutating func decodeConsumer(_ value: JSONValue, at path: String,
                                         names: inout [(name: String, path: String)]) -> ConsumerConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.consumerKeys,
                                              issues: &issues) else { return nil }
        let name = self.name(object["name"], at: object.path("name"))
        if let name {
            if name == Self.anonymousConsumer {
                report(object.path("name"), "\(ConfigIssue.quoted(name)) is reserved for requests without a consumer")
            } else {
                checkUnique(name, kind: "consumer", at: object.path("name"), owner: path, names: &names)
            }
        }
        let directory = secretFile(object["keysDirectory"], at: object.path("keysDirectory"), required: true)
        let models = object["allowedModels"].map { allowedModels($0, at: object.path("allowedModels")) }
        let overrides = object["models"].map { decodeModelLimits($0, at: object.path("models"), allowedModels: models ?? nil) }
        guard let limits = decodeLimits(object), let name, let directory, models != .some(nil), overrides != .some(nil) else { return nil }
        return ConsumerConfig(name: name, keysDirectory: directory, allowedModels: models ?? nil, rateLimits: limits.rateLimits,
                              tokenLimits: limits.tokenLimits, quotas: limits.quotas, estimatedOutputTokens: limits.estimatedOutputTokens,
                              midStreamExhaustion: limits.midStreamExhaustion, priority: limits.priority, models: (overrides ?? nil) ?? [])
    }

    static let modelLimitsKeys = ["match", "rateLimits", "quotas"]

    /// `models[]`: per-model overrides, each a pattern and limits of its own; a pattern that is
    /// not a usable glob, a duplicate, an override without limits, or an exact name the
    /// consumer's `allowedModels` refuse (it could never apply) is an issue.
    private mutating func decodeModelLimits(_ value: JSONValue, at path: String, allowedModels: [String]?) -> [ModelLimitsConfig]? {
        guard let elements = array(value, at: path, nonEmpty: "expected at least one override; omit the field for none") else { return nil }
        if elements.count > ModelLimitsConfig.maxPerConsumer {
            report(path, "\(elements.count) overrides; at most \(ModelLimitsConfig.maxPerConsumer) per consumer")
            return nil
        }
        let before = issues.count
        var overrides: [ModelLimitsConfig] = []
        var matches: [(name: String, path: String)] = []
        for (index, element) in elements.enumerated() {
            let elementPath = JSONPath.element(path, index)
            guard let object = ConfigObjectReader(element, at: elementPath, allowed: Self.modelLimitsKeys, issues: &issues) else { continue }
            let match = modelPattern(object["match"], at: object.path("match"), allowedModels: allowedModels)
            if let match, let first = matches.first(where: { $0.name == match }) {
                report(object.path("match"), "duplicate match \(ConfigIssue.quoted(match)) (first used by \(first.path)); one override per pattern")
            } else if let match {
                matches.append((match, elementPath))
            }
            guard let limits = decodeLimits(object), let match else { continue }
            let override = ModelLimitsConfig(match: match, rateLimits: limits.rateLimits, tokenLimits: limits.tokenLimits, quotas: limits.quotas)
            if override.isEmpty {
                report(elementPath, "sets no limit; give it rateLimits or quotas (or remove it)")
                continue
            }
            overrides.append(override)
        }
        return issues.count == before ? overrides : nil
    }

    /// A per-model override's `match`: a glob as in `allowedModels`, without whitespace, control
    /// characters or brackets (it names the override's limits as `models[<match>].<field>`).
    private mutating func modelPattern(_ value: JSONValue?, at path: String, allowedModels: [String]?) -> String? {
        guard let match = string(value, at: path, required: true) else { return nil }
        guard match.utf8.count <= 256 else {
            report(path, "is \(match.utf8.count) bytes long; at most 256")
            return nil
        }
        if let bad = match.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value == 0x7F || "[]{}".unicodeScalars.contains($0) }) {
            report(path, "\(ConfigIssue.quoted(match)) is not a model name or glob: \(ConfigIssue.quoted(String(bad))) is not allowed (use \"*\" and \"?\" as wildcards)")
            return nil
        }
        let exact = !match.contains(where: { $0 == "*" || $0 == "?" })
        if exact, let allowedModels, !allowedModels.contains(where: { GlobPattern($0).matches(match) }) {
            report(path, "model \(ConfigIssue.quoted(match)) is outside this consumer's allowedModels, so the override could never apply")
            return nil
        }
        return match
    }

    /// The limit fields a consumer and `authentication.anonymous` share, decoded into a
    /// consumer value that carries only them.
    private mutating func decodeLimits(_ object: ConfigObjectReader) -> ConsumerConfig? {
        let limits = object["rateLimits"].map { decodeRateLimits($0, at: object.path("rateLimits")) }
            ?? (RequestRateLimits(), TokenRateLimits())
        let quotas = object["quotas"].map { decodeQuotas($0, at: object.path("quotas")) } ?? ConsumerQuotas()
        let estimate = integer(object["estimatedOutputTokens"], at: object.path("estimatedOutputTokens"), in: 1...10_000_000,
                               expected: "a positive integer", required: false)
        let exhaustion: MidStreamExhaustion? = oneOf(object["midStreamExhaustion"], at: object.path("midStreamExhaustion"),
                                                     required: false)
        let priority = string(object["priority"], at: object.path("priority"), required: false)
        guard let limits, let quotas, object["estimatedOutputTokens"] == nil || estimate != nil,
              object["midStreamExhaustion"] == nil || exhaustion != nil, object["priority"] == nil || priority != nil else { return nil }
        return ConsumerConfig(name: Self.anonymousConsumer, keysDirectory: "", rateLimits: limits.0, tokenLimits: limits.1,
                              quotas: quotas, estimatedOutputTokens: estimate ?? ConsumerConfig.defaultEstimatedOutputTokens,
                              midStreamExhaustion: exhaustion ?? .cut, priority: priority)
    }

    private mutating func allowedModels(_ value: JSONValue, at path: String) -> [String]? {
        guard let elements = array(value, at: path, nonEmpty: "expected at least one model or glob; omit the field to allow every model")
        else { return nil }
        var models: [String] = []
        for (index, element) in elements.enumerated() {
            guard let model = string(element, at: JSONPath.element(path, index), required: true) else { continue }
            models.append(model)
        }
        return models.count == elements.count ? models : nil
    }

    /// `rateLimits`: requests and tokens per window, and which tokens count.
    private mutating func decodeRateLimits(_ value: JSONValue, at path: String) -> (RequestRateLimits, TokenRateLimits)? {
        let requestFields = RateLimitWindow.allCases.map(\.requestsField)
        let tokenFields = RateLimitWindow.allCases.map(\.tokensField)
        guard let object = ConfigObjectReader(value, at: path, allowed: requestFields + tokenFields + ["tokenCounting"],
                                              issues: &issues) else { return nil }
        var requests: [Int?] = []
        var tokens: [Int?] = []
        var valid = true
        for field in requestFields {
            let limit = integer(object[field], at: object.path(field), in: 1...1_000_000_000, expected: "a positive integer",
                                required: false)
            if object[field] != nil, limit == nil { valid = false }
            requests.append(limit)
        }
        for field in tokenFields {
            let limit = integer(object[field], at: object.path(field), in: 1...ConsumerQuotas.maxTokens, expected: "a positive integer",
                                required: false)
            if object[field] != nil, limit == nil { valid = false }
            tokens.append(limit)
        }
        let counting: TokenCounting? = oneOf(object["tokenCounting"], at: object.path("tokenCounting"), required: false)
        if object["tokenCounting"] != nil, counting == nil { valid = false }
        guard valid else { return nil }
        return (RequestRateLimits(perSecond: requests[0], perMinute: requests[1], perHour: requests[2], perDay: requests[3]),
                TokenRateLimits(perSecond: tokens[0], perMinute: tokens[1], perHour: tokens[2], perDay: tokens[3],
                                counting: counting ?? .total))
    }

    /// `quotas`: tokens and spend per UTC day and month.
    private mutating func decodeQuotas(_ value: JSONValue, at path: String) -> ConsumerQuotas? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.quotaKeys, issues: &issues) else { return nil }
        let before = issues.count
        let tokens = ["tokensPerDay", "tokensPerMonth"].map { field in
            integer(object[field], at: object.path(field), in: 1...ConsumerQuotas.maxTokens, expected: "a positive integer",
                    required: false)
        }
        let costs = ["costPerDay", "costPerMonth"].map { field -> Double? in
            guard let value = object[field] else { return nil }
            guard case .number(let number) = value, let cost = number.double, cost.isFinite, cost > 0 else {
                report(object.path(field), "\(ConfigIssue.found(value)) is not a positive number")
                return nil
            }
            guard cost <= ConsumerQuotas.maxCost else {
                report(object.path(field), "\(number.literal) is greater than the maximum 1000000")
                return nil
            }
            return cost
        }
        var currency = "USD"
        if let text = string(object["currency"], at: object.path("currency"), required: false) {
            if text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                currency = text
            } else {
                report(object.path("currency"), "\(ConfigIssue.quoted(text)) is not a currency code; expected three capital letters such as \"USD\"")
            }
        }
        guard issues.count == before else { return nil }
        return ConsumerQuotas(tokensPerDay: tokens[0], tokensPerMonth: tokens[1], costPerDay: costs[0], costPerMonth: costs[1],
                              currency: currency)
    }

    /// A cost quota counts prices in its own currency only: a priced model in another currency
    /// would be spent without being counted, so it is refused.
    /// `parties`: each consumer (or the anonymous limits) with its path.
    mutating func checkQuotaCurrencies(_ parties: [(consumer: ConsumerConfig, path: String)], backends: [BackendConfig]) {
        for (consumer, path) in parties where consumer.quotas.costPerDay != nil || consumer.quotas.costPerMonth != nil {
            for backend in backends {
                for (model, price) in backend.prices.sorted(by: { $0.key < $1.key }) where price.currency != consumer.quotas.currency {
                    return report(JSONPath.member(JSONPath.member(path, "quotas"), "currency"),
                                  "cost quotas count \(ConfigIssue.quoted(consumer.quotas.currency)) but backend \(ConfigIssue.quoted(backend.name)) prices model \(ConfigIssue.quoted(model)) in \(ConfigIssue.quoted(price.currency)); use one currency")
                }
            }
        }
    }

    mutating func decodeAuthentication(_ value: JSONValue, at path: String) -> AuthenticationConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["allowAnonymous", "anonymous"], issues: &issues) else { return nil }
        let allow = bool(object["allowAnonymous"], at: object.path("allowAnonymous"))
        if object["allowAnonymous"] != nil, allow == nil { return nil }
        var anonymous: ConsumerConfig?
        if let value = object["anonymous"] {
            guard let limits = ConfigObjectReader(value, at: object.path("anonymous"), allowed: Self.anonymousKeys, issues: &issues),
                  let decoded = decodeLimits(limits) else { return nil }
            anonymous = decoded
        }
        return AuthenticationConfig(allowAnonymous: allow ?? false, anonymous: anonymous)
    }

    static let anonymousKeys = ["rateLimits", "quotas", "estimatedOutputTokens", "midStreamExhaustion", "priority"]

    /// A party's `priority` names one of `defaults.priorities.levels` (which must be set).
    /// `parties`: each consumer (or the anonymous limits) with its path.
    mutating func checkPartyPriorities(_ parties: [(consumer: ConsumerConfig, path: String)], priorities: PriorityConfig?) {
        for (consumer, path) in parties {
            guard let name = consumer.priority else { continue }
            let fieldPath = JSONPath.member(path, "priority")
            guard let priorities else {
                report(fieldPath, "needs defaults.priorities: a class can only be one of its levels")
                continue
            }
            if !priorities.levels.contains(name) {
                let allowed = priorities.levels.map(ConfigIssue.quoted).joined(separator: ", ")
                report(fieldPath, "\(ConfigIssue.quoted(name)) is not one of defaults.priorities.levels (\(allowed))")
            }
        }
    }

    /// Anonymous limits that could never apply are refused rather than silently ignored.
    mutating func checkAnonymousLimits(_ authentication: AuthenticationConfig, consumers: [ConsumerConfig], at path: String) {
        guard authentication.anonymous != nil, !consumers.isEmpty, !authentication.allowAnonymous else { return }
        report(JSONPath.member(path, "anonymous"),
               "anonymous limits never apply: consumers are configured and allowAnonymous is false, so every request needs a key; set allowAnonymous or remove them")
    }
}
