/// `backends[].modelInfo` and `routes[].auto`, written back as the decoder reads them.
extension ProxyConfigEncoder {
    static func addRegistry(of backend: BackendConfig, to object: inout JSONObject) {
        guard !backend.modelInfo.isEmpty else { return }
        object["modelInfo"] = .object(JSONObject(backend.modelInfo.sorted { $0.key < $1.key }.map { model, info in
            var infoObject = JSONObject([("contextWindow", .number(JSONNumber(info.contextWindow)))])
            if let maxOutput = info.maxOutputTokens { infoObject["maxOutputTokens"] = .number(JSONNumber(maxOutput)) }
            let capabilities = info.capabilities.members
            if !capabilities.isEmpty { infoObject["capabilities"] = .array(capabilities.map { .string($0.rawValue) }) }
            if !info.tags.isEmpty { infoObject["tags"] = .array(info.tags.map(JSONValue.string)) }
            if info.tier != 0 { infoObject["tier"] = .number(JSONNumber(info.tier)) }
            return (model, .object(infoObject))
        }))
    }

    static func addAuto(of route: RouteConfig, to object: inout JSONObject) {
        guard !route.auto.isEmpty else { return }
        object["auto"] = .array(route.auto.map { auto in
            var autoObject = JSONObject([("name", .string(auto.name)), ("strategy", .string(auto.strategy.name))])
            if case .costWithinLatency(let maxP95) = auto.strategy {
                autoObject["maxP95TimeToFirstToken"] = .string(maxP95.configString)
            }
            if let candidates = auto.candidates {
                autoObject["candidates"] = .array(candidates.map {
                    .object(JSONObject([("backend", .string($0.backend)), ("model", .string($0.model))]))
                })
            }
            autoObject["contextMarginPercent"] = .number(JSONNumber(auto.contextMarginPercent))
            autoObject["expectedOutputTokens"] = .number(JSONNumber(auto.expectedOutputTokens))
            if !auto.classes.isEmpty { autoObject["classes"] = .array(auto.classes.map(json)) }
            if let overBudget = auto.overBudget {
                var budgetObject = JSONObject([("usedPercent", .number(JSONNumber(overBudget.usedPercent)))])
                if let maxTier = overBudget.maxTier { budgetObject["maxTier"] = .number(JSONNumber(maxTier)) }
                if let strategy = overBudget.strategy { budgetObject["strategy"] = .string(strategy.name) }
                autoObject["overBudget"] = .object(budgetObject)
            }
            return .object(autoObject)
        })
    }

    private static func json(_ rule: AutoClassConfig) -> JSONValue {
        var object = JSONObject([("name", .string(rule.name))])
        switch rule.condition {
        case .keywords(let words): object["keywords"] = .array(words.map(JSONValue.string))
        case .regex(let pattern): object["regex"] = .string(pattern)
        case .header(let header): object["header"] = json(header)
        }
        if !rule.requireTags.isEmpty { object["requireTags"] = .array(rule.requireTags.map(JSONValue.string)) }
        if let minTier = rule.minTier { object["minTier"] = .number(JSONNumber(minTier)) }
        return .object(object)
    }
}
