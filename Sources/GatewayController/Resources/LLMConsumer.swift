import ProxyCore

/// An `LLMConsumer`: a caller's keys, model rights, rate limits and quotas (see docs/crds.md),
/// translated into a `consumers[]` entry of each gateway it attaches to.
package struct LLMConsumer: Hashable, Sendable {
    package struct Spec: Hashable, Sendable {
        package var parentRefs: [ParentRef] = []
        package var keysSecret = ""
        package var allowedModels: [String]?
        package var limits = LimitsSpec()
        /// Per-model overrides (`spec.models[]`): extra limits for the models a pattern matches.
        package var models: [ModelLimitsSpec] = []
    }

    /// One of `spec.models[]`: a pattern and its own `rateLimits` and `quotas`.
    package struct ModelLimitsSpec: Hashable, Sendable {
        package var match = ""
        package var limits = LimitsSpec()
    }

    package var meta: ResourceMeta
    package var spec: Spec

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["parentRefs", "credentials", "allowedModels", "models"] + LimitsSpec.fields,
                                    required: ["parentRefs", "credentials"])
        else { return nil }
        let before = d.issues.count
        var spec = Spec()
        spec.parentRefs = ParentRef.decodeList(object["parentRefs"], at: object.path("parentRefs"), decoding: &d) ?? []
        if let credentials = d.optionalObject(object["credentials"], at: object.path("credentials"), allowed: ["secretRef"], required: ["secretRef"]),
           let ref = SecretKeyRef.decode(credentials["secretRef"], at: credentials.path("secretRef"), defaultKey: nil, decoding: &d) {
            spec.keysSecret = ref.name
        }
        if let models = d.array(object["allowedModels"], at: object.path("allowedModels"), max: 64) {
            spec.allowedModels = models.enumerated().compactMap { d.string($1, at: JSONPath.element(object.path("allowedModels"), $0), maxLength: 256) }
        }
        spec.limits = LimitsSpec.decode(object, decoding: &d)
        if let models = d.array(object["models"], at: object.path("models"), min: 1, max: ModelLimitsConfig.maxPerConsumer) {
            for (index, element) in models.enumerated() {
                let path = JSONPath.element(object.path("models"), index)
                guard let override = d.object(element, at: path, allowed: ["match", "rateLimits", "quotas"], required: ["match"]) else { continue }
                let match = d.string(override["match"], at: override.path("match"), maxLength: 256, nonEmpty: true) ?? ""
                spec.models.append(ModelLimitsSpec(match: match, limits: LimitsSpec.decode(override, decoding: &d)))
            }
        }
        return d.issues.count == before ? spec : nil
    }

    /// The consumer as the proxy config carries it, its keys in `keysDirectory`. The sidecar's
    /// validation checks the overrides' patterns (a bad one refuses the gateway's config).
    func config(keysDirectory: String) -> ConsumerConfig {
        spec.limits.config(name: meta.name, keysDirectory: keysDirectory, allowedModels: spec.allowedModels, models: spec.models.map {
            ModelLimitsConfig(match: $0.match, rateLimits: $0.limits.requestLimits, tokenLimits: $0.limits.tokenLimits, quotas: $0.limits.quotas)
        })
    }
}

/// The limit fields an `LLMConsumer` spec and an `LLMGateway`'s `authentication.anonymous`
/// share: request and token windows, token counting, quotas, the output estimate, stream
/// behaviour, the priority class.
package struct LimitsSpec: Hashable, Sendable {
    package var requestLimits = RequestRateLimits()
    package var tokenLimits = TokenRateLimits()
    package var quotas = ConsumerQuotas()
    package var estimatedOutputTokens: Int?
    package var midStreamExhaustion: MidStreamExhaustion?
    /// The party's priority class: one of the gateway's `defaults.priorities.levels`.
    package var priority: String?

    static let fields = ["rateLimits", "quotas", "estimatedOutputTokens", "midStreamExhaustion", "priority"]
    static let rateLimitFields = RateLimitWindow.allCases.map(\.requestsField) + RateLimitWindow.allCases.map(\.tokensField) + ["tokenCounting"]
    static let quotaFields = ["tokensPerDay", "tokensPerMonth", "costPerDay", "costPerMonth", "currency"]

    /// The limit fields of `object` (other fields are the caller's to check).
    static func decode(_ object: SpecObject, decoding d: inout SpecDecoding) -> LimitsSpec {
        var spec = LimitsSpec()
        if let limits = d.optionalObject(object["rateLimits"], at: object.path("rateLimits"), allowed: rateLimitFields) {
            let requests = RateLimitWindow.allCases.map { d.integer(limits[$0.requestsField], at: limits.path($0.requestsField), in: 1...1_000_000_000) }
            let tokens = RateLimitWindow.allCases.map { d.integer(limits[$0.tokensField], at: limits.path($0.tokensField), in: 1...ConsumerQuotas.maxTokens) }
            let counting = enumValue(limits["tokenCounting"], at: limits.path("tokenCounting"), TokenCounting.self, decoding: &d) ?? .total
            spec.requestLimits = RequestRateLimits(perSecond: requests[0], perMinute: requests[1], perHour: requests[2], perDay: requests[3])
            spec.tokenLimits = TokenRateLimits(perSecond: tokens[0], perMinute: tokens[1], perHour: tokens[2], perDay: tokens[3], counting: counting)
        }
        if let quotas = d.optionalObject(object["quotas"], at: object.path("quotas"), allowed: quotaFields) {
            let tokens = ["tokensPerDay", "tokensPerMonth"].map { d.integer(quotas[$0], at: quotas.path($0), in: 1...ConsumerQuotas.maxTokens) }
            let costs = ["costPerDay", "costPerMonth"].map { field -> Double? in
                guard let number = d.nonNegativeNumber(quotas[field], at: quotas.path(field), max: ConsumerQuotas.maxCost) else { return nil }
                guard let cost = number.double, cost > 0 else {
                    d.report(quotas.path(field), "\(number.literal) is not a positive amount")
                    return nil
                }
                return cost
            }
            var currency = "USD"
            if let text = d.string(quotas["currency"], at: quotas.path("currency")) {
                if text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                    currency = text
                } else {
                    d.report(quotas.path("currency"), "\(SpecDecoding.quoted(text)) is not an ISO 4217 code such as \"USD\"")
                }
            }
            spec.quotas = ConsumerQuotas(tokensPerDay: tokens[0], tokensPerMonth: tokens[1], costPerDay: costs[0], costPerMonth: costs[1],
                                         currency: currency)
        }
        spec.estimatedOutputTokens = d.integer(object["estimatedOutputTokens"], at: object.path("estimatedOutputTokens"), in: 1...10_000_000)
        spec.midStreamExhaustion = enumValue(object["midStreamExhaustion"], at: object.path("midStreamExhaustion"), MidStreamExhaustion.self,
                                             decoding: &d)
        spec.priority = d.string(object["priority"], at: object.path("priority"), maxLength: 63, nonEmpty: true)
        return spec
    }

    /// One of an enum's raw values; nil (reported) for another string.
    private static func enumValue<E: RawRepresentable & CaseIterable>(_ value: JSONValue?, at path: String, _ type: E.Type,
                                                                        decoding d: inout SpecDecoding) -> E? where E.RawValue == String {
        guard let text = d.string(value, at: path) else { return nil }
        if let result = E(rawValue: text) { return result }
        d.report(path, "\(SpecDecoding.quoted(text)) is not one of \(E.allCases.map { SpecDecoding.quoted($0.rawValue) }.joined(separator: ", "))")
        return nil
    }

    /// A config consumer with these limits.
    func config(name: String, keysDirectory: String, allowedModels: [String]?, models: [ModelLimitsConfig] = []) -> ConsumerConfig {
        ConsumerConfig(name: name, keysDirectory: keysDirectory, allowedModels: allowedModels, rateLimits: requestLimits,
                       tokenLimits: tokenLimits, quotas: quotas,
                       estimatedOutputTokens: estimatedOutputTokens ?? ConsumerConfig.defaultEstimatedOutputTokens,
                       midStreamExhaustion: midStreamExhaustion ?? .cut, priority: priority, models: models)
    }
}
