import ProxyCore

/// `spec.rules[].auto`: virtual model names ranked over the candidates' model registry
/// (docs/routing.md). Candidates name LLMBackends and one of their `modelInfo` models.
extension LLMRoute {
    static func decodeAuto(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> [AutoModelConfig] {
        var models: [AutoModelConfig] = []
        for (index, element) in (d.array(value, at: path, min: 1, max: 8) ?? []).enumerated() {
            let autoPath = JSONPath.element(path, index)
            guard let object = d.object(element, at: autoPath, allowed: ["name", "strategy", "maxP95TimeToFirstToken", "candidates",
                                                                         "contextMarginPercent", "expectedOutputTokens", "classes", "overBudget"],
                                        required: ["name", "strategy", "candidates"])
            else { continue }
            let name = d.string(object["name"], at: object.path("name"), maxLength: 256, nonEmpty: true)
            if let name, models.contains(where: { $0.name == name }) { d.report(object.path("name"), "duplicate auto model name \(SpecDecoding.quoted(name))") }
            var strategy: AutoStrategy?
            let maxP95 = d.duration(object["maxP95TimeToFirstToken"], at: object.path("maxP95TimeToFirstToken"))
            switch d.choice(object["strategy"], at: object.path("strategy"), ["cost", "latency", "cost-within-latency"]) {
            case "cost-within-latency"?:
                if let maxP95 { strategy = .costWithinLatency(maxP95: maxP95) } else if object["maxP95TimeToFirstToken"] == nil {
                    d.report(object.path("maxP95TimeToFirstToken"), "required by strategy \"cost-within-latency\"")
                }
            case let other?:
                if object["maxP95TimeToFirstToken"] != nil {
                    d.report(object.path("maxP95TimeToFirstToken"), "only used by strategy \"cost-within-latency\"; remove it")
                }
                strategy = other == "cost" ? .cost : .latency
            case nil:
                break
            }
            var candidates: [AutoCandidateConfig] = []
            let candidatesPath = object.path("candidates")
            for (candidateIndex, entry) in (d.array(object["candidates"], at: candidatesPath, min: 1, max: 32) ?? []).enumerated() {
                let entryPath = JSONPath.element(candidatesPath, candidateIndex)
                guard let candidate = d.object(entry, at: entryPath, allowed: ["backendRef", "model"], required: ["backendRef", "model"]),
                      let ref = d.object(candidate["backendRef"], at: candidate.path("backendRef"), allowed: ["name"], required: ["name"]),
                      let backend = d.objectName(ref["name"], at: ref.path("name"), maxLength: 63),
                      let model = d.string(candidate["model"], at: candidate.path("model"), maxLength: 256, nonEmpty: true)
                else { continue }
                candidates.append(AutoCandidateConfig(backend: backend, model: model))
            }
            let margin = d.integer(object["contextMarginPercent"], at: object.path("contextMarginPercent"), in: 0...90)
                ?? AutoModelConfig.defaultContextMarginPercent
            let expected = d.integer(object["expectedOutputTokens"], at: object.path("expectedOutputTokens"), in: 1...BackendConfig.maxContextWindow)
                ?? AutoModelConfig.defaultExpectedOutputTokens
            var classes: [AutoClassConfig] = []
            let classesPath = object.path("classes")
            for (classIndex, element) in (d.array(object["classes"], at: classesPath, max: 16) ?? []).enumerated() {
                if let rule = decodeClass(element, at: JSONPath.element(classesPath, classIndex), decoding: &d) { classes.append(rule) }
            }
            let overBudget = object["overBudget"] == nil ? nil : decodeOverBudget(object["overBudget"], at: object.path("overBudget"), decoding: &d)
            if let name, let strategy {
                models.append(AutoModelConfig(name: name, strategy: strategy, candidates: candidates, contextMarginPercent: margin,
                                              expectedOutputTokens: expected, classes: classes, overBudget: overBudget))
            }
        }
        return models
    }

    /// `overBudget`: `usedPercent` with `maxTier` and/or `strategy: cost`.
    private static func decodeOverBudget(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> OverBudgetConfig? {
        guard let object = d.object(value, at: path, allowed: ["usedPercent", "maxTier", "strategy"], required: ["usedPercent"]),
              let used = d.integer(object["usedPercent"], at: object.path("usedPercent"), in: 1...100)
        else { return nil }
        let maxTier = d.integer(object["maxTier"], at: object.path("maxTier"), in: 0...ModelInfoConfig.maxTier)
        let strategy: AutoStrategy? = d.choice(object["strategy"], at: object.path("strategy"), ["cost"]) == nil ? nil : .cost
        guard object["maxTier"] != nil || object["strategy"] != nil else {
            d.report(path, "set \"maxTier\" or \"strategy\"; without them it would change nothing")
            return nil
        }
        return OverBudgetConfig(usedPercent: used, maxTier: maxTier, strategy: strategy)
    }

    private static func decodeClass(_ value: JSONValue, at path: String, decoding d: inout SpecDecoding) -> AutoClassConfig? {
        guard let object = d.object(value, at: path, allowed: ["name", "keywords", "regex", "header", "requireTags", "minTier"], required: ["name"]),
              let name = d.objectName(object["name"], at: object.path("name"), maxLength: 63)
        else { return nil }
        let present = ["keywords", "regex", "header"].filter { object[$0] != nil }
        guard present.count == 1 else {
            d.report(path, "set exactly one of \"keywords\", \"regex\", \"header\"; found " + (present.isEmpty ? "none" : present.joined(separator: " and ")))
            return nil
        }
        var condition: AutoClassConfig.Condition?
        switch present[0] {
        case "keywords":
            let words = (d.array(object["keywords"], at: object.path("keywords"), min: 1, max: 256) ?? []).enumerated().compactMap { index, word in
                d.string(word, at: JSONPath.element(object.path("keywords"), index), maxLength: 256, nonEmpty: true)
            }
            if !words.isEmpty { condition = .keywords(words) }
        case "regex":
            condition = d.string(object["regex"], at: object.path("regex"), maxLength: 1024, nonEmpty: true).map { .regex($0) }
        default:
            condition = object["header"].flatMap { decodeHeaderMatch($0, at: object.path("header"), decoding: &d) }.map { .header($0) }
        }
        let tags = (d.array(object["requireTags"], at: object.path("requireTags"), min: 1, max: ModelInfoConfig.maxTags) ?? []).enumerated().compactMap { index, tag in
            d.string(tag, at: JSONPath.element(object.path("requireTags"), index), maxLength: 63, nonEmpty: true)
        }
        let minTier = d.integer(object["minTier"], at: object.path("minTier"), in: 0...ModelInfoConfig.maxTier)
        if object["requireTags"] == nil && object["minTier"] == nil {
            d.report(path, "a class needs requireTags or minTier; without them it would change nothing")
        }
        guard let condition else { return nil }
        return AutoClassConfig(name: name, condition: condition, requireTags: tags, minTier: minTier)
    }
}

extension LLMRoute.Rule {
    /// The LLMBackends the rule's `auto` candidates name, in order, each once.
    var autoBackendNames: [String] {
        var names: [String] = []
        for candidate in auto.flatMap({ $0.candidates ?? [] }) where !names.contains(candidate.backend) { names.append(candidate.backend) }
        return names
    }
}
