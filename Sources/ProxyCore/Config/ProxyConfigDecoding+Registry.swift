/// `backends[i].modelInfo` (the model registry) and `routes[i].auto` (`docs/routing.md`).
extension ProxyConfigDecoding {
    static let modelInfoKeys = ["contextWindow", "maxOutputTokens", "capabilities", "tags", "tier"]
    static let autoKeys = ["name", "strategy", "maxP95TimeToFirstToken", "candidates", "contextMarginPercent",
                           "expectedOutputTokens", "classes", "overBudget"]
    static let autoClassKeys = ["name", "keywords", "regex", "header", "requireTags", "minTier"]

    private enum StrategyName: String, CaseIterable {
        case cost, latency
        case costWithinLatency = "cost-within-latency"
    }

    /// `backends[i].modelInfo`: upstream model → limits, capabilities, tags, tier.
    mutating func decodeModelInfo(_ value: JSONValue, at path: String) -> [String: ModelInfoConfig]? {
        guard case .object(let object) = value else {
            report(path, "expected an object, found \(ConfigIssue.found(value))")
            return nil
        }
        let before = issues.count
        var infos: [String: ModelInfoConfig] = [:]
        for (model, infoValue) in object.members {
            let memberPath = JSONPath.member(path, model)
            if model.isEmpty { report(memberPath, "expected a non-empty model name as the key") }
            guard let info = ConfigObjectReader(infoValue, at: memberPath, allowed: Self.modelInfoKeys, issues: &issues) else { continue }
            let window = integer(info["contextWindow"], at: info.path("contextWindow"), in: 1...BackendConfig.maxContextWindow,
                                 expected: "a positive integer", required: true)
            let maxOutput = integer(info["maxOutputTokens"], at: info.path("maxOutputTokens"), in: 1...BackendConfig.maxContextWindow,
                                    expected: "a positive integer", required: false)
            if let window, let maxOutput, maxOutput > window {
                report(info.path("maxOutputTokens"), "\(maxOutput) is larger than the context window \(window)")
            }
            var capabilities = ModelCapabilities()
            if let list = info["capabilities"].flatMap({ array($0, at: info.path("capabilities"), nonEmpty: "expected at least one capability (omit \"capabilities\" for none)") }) {
                for (index, element) in list.enumerated() {
                    let capability: ModelCapability? = oneOf(element, at: JSONPath.element(info.path("capabilities"), index), required: true)
                    if let capability { capabilities.insert(capability) }
                }
            }
            let tags = info["tags"].flatMap { names($0, at: info.path("tags"), max: ModelInfoConfig.maxTags) } ?? []
            let tier = integer(info["tier"], at: info.path("tier"), in: 0...ModelInfoConfig.maxTier,
                               expected: "an integer from 0 to \(ModelInfoConfig.maxTier)", required: false) ?? 0
            if let window, !model.isEmpty {
                infos[model] = ModelInfoConfig(contextWindow: window, maxOutputTokens: maxOutput, capabilities: capabilities,
                                               tags: tags, tier: tier)
            }
        }
        return issues.count == before ? infos : nil
    }

    /// `routes[i].auto`: the route's virtual model names. Candidates are checked against the
    /// registry by `checkAutoCandidates` once every backend is decoded.
    mutating func decodeAuto(_ value: JSONValue, at path: String, match: RouteMatchConfig?) -> [AutoModelConfig]? {
        guard let list = array(value, at: path, nonEmpty: "expected at least one auto model (omit \"auto\" for none)") else { return nil }
        let before = issues.count
        var models: [AutoModelConfig] = []
        var names: [(name: String, path: String)] = []
        for (index, element) in list.enumerated() {
            let autoPath = JSONPath.element(path, index)
            guard let object = ConfigObjectReader(element, at: autoPath, allowed: Self.autoKeys, issues: &issues) else { continue }
            let name = string(object["name"], at: object.path("name"), required: true)
            if let name {
                checkUnique(name, kind: "auto model", at: object.path("name"), owner: autoPath, names: &names)
                if let matcher = match?.model.flatMap(CompiledModelMatcher.init), !matcher.matches(name) {
                    report(object.path("name"), "the route's match.model \(matcher.description) does not match \(ConfigIssue.quoted(name)), so no request could use it")
                }
            }
            let strategyName: StrategyName? = oneOf(object["strategy"], at: object.path("strategy"), required: true)
            let maxP95 = duration(object["maxP95TimeToFirstToken"], at: object.path("maxP95TimeToFirstToken"))
            var strategy: AutoStrategy? = nil
            switch strategyName {
            case .costWithinLatency?:
                if let maxP95 { strategy = .costWithinLatency(maxP95: maxP95) } else if !object.has("maxP95TimeToFirstToken") {
                    report(object.path("maxP95TimeToFirstToken"), "required by strategy \"cost-within-latency\"")
                }
            case let other?:
                if object.has("maxP95TimeToFirstToken") {
                    report(object.path("maxP95TimeToFirstToken"), "only used by strategy \"cost-within-latency\"; remove it")
                }
                strategy = other == .cost ? .cost : .latency
            case nil:
                break
            }
            var candidates: [AutoCandidateConfig]? = nil
            if let value = object["candidates"],
               let entries = array(value, at: object.path("candidates"), nonEmpty: "expected at least one candidate (omit \"candidates\" for the whole registry)") {
                candidates = []
                for (candidateIndex, entry) in entries.enumerated() {
                    let entryPath = JSONPath.element(object.path("candidates"), candidateIndex)
                    guard let reader = ConfigObjectReader(entry, at: entryPath, allowed: ["backend", "model"], issues: &issues),
                          let backend = string(reader["backend"], at: reader.path("backend"), required: true),
                          let model = string(reader["model"], at: reader.path("model"), required: true) else { continue }
                    candidates?.append(AutoCandidateConfig(backend: backend, model: model))
                }
            }
            let margin = integer(object["contextMarginPercent"], at: object.path("contextMarginPercent"), in: 0...90,
                                 expected: "an integer from 0 to 90", required: false) ?? AutoModelConfig.defaultContextMarginPercent
            let expected = integer(object["expectedOutputTokens"], at: object.path("expectedOutputTokens"), in: 1...BackendConfig.maxContextWindow,
                                   expected: "a positive integer", required: false) ?? AutoModelConfig.defaultExpectedOutputTokens
            var classes: [AutoClassConfig] = []
            if let value = object["classes"], let rules = array(value, at: object.path("classes"), nonEmpty: "expected at least one class (omit \"classes\" for none)") {
                for (ruleIndex, rule) in rules.enumerated() {
                    if let decoded = decodeAutoClass(rule, at: JSONPath.element(object.path("classes"), ruleIndex)) { classes.append(decoded) }
                }
            }
            let overBudget = object["overBudget"].flatMap { decodeOverBudget($0, at: object.path("overBudget")) }
            if let name, let strategy {
                models.append(AutoModelConfig(name: name, strategy: strategy, candidates: candidates, contextMarginPercent: margin,
                                              expectedOutputTokens: expected, classes: classes, overBudget: overBudget))
            }
        }
        return issues.count == before ? models : nil
    }

    /// `overBudget`: `{"usedPercent": 80, "maxTier": 1, "strategy": "cost"}`, with `maxTier` or `strategy`.
    private mutating func decodeOverBudget(_ value: JSONValue, at path: String) -> OverBudgetConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["usedPercent", "maxTier", "strategy"], issues: &issues) else { return nil }
        let before = issues.count
        let used = integer(object["usedPercent"], at: object.path("usedPercent"), in: 1...100, expected: "an integer from 1 to 100",
                           required: true)
        let maxTier = integer(object["maxTier"], at: object.path("maxTier"), in: 0...ModelInfoConfig.maxTier,
                              expected: "an integer from 0 to \(ModelInfoConfig.maxTier)", required: false)
        var strategy: AutoStrategy?
        if let name = string(object["strategy"], at: object.path("strategy"), required: false) {
            if name == AutoStrategy.cost.name { strategy = .cost } else {
                report(object.path("strategy"), "\(ConfigIssue.quoted(name)) is not supported; only \"cost\" (the strategy that saves money)")
            }
        }
        if !object.has("maxTier") && !object.has("strategy") {
            report(path, "needs \"maxTier\" or \"strategy\"; without them it would change nothing")
        }
        guard issues.count == before, let used else { return nil }
        return OverBudgetConfig(usedPercent: used, maxTier: maxTier, strategy: strategy)
    }

    private mutating func decodeAutoClass(_ value: JSONValue, at path: String) -> AutoClassConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.autoClassKeys, issues: &issues) else { return nil }
        let before = issues.count
        let name = self.name(object["name"], at: object.path("name"))
        var condition: AutoClassConfig.Condition? = nil
        switch exactlyOne(of: ["keywords", "regex", "header"], in: object) {
        case "keywords"?:
            if let list = object["keywords"].flatMap({ array($0, at: object.path("keywords"), nonEmpty: "expected at least one keyword") }) {
                var words: [String] = []
                for (index, element) in list.enumerated() {
                    if let word = string(element, at: JSONPath.element(object.path("keywords"), index), required: true) { words.append(word) }
                }
                if CompiledAutoClass(AutoClassConfig(name: "", condition: .keywords(words))) == nil {
                    report(object.path("keywords"), "the keywords together exceed the regular expression limits")
                } else {
                    condition = .keywords(words)
                }
            }
        case "regex"?:
            if let pattern = string(object["regex"], at: object.path("regex"), required: true) {
                if let problem = ConfigIssue.regexProblem(pattern) { report(object.path("regex"), problem) } else { condition = .regex(pattern) }
            }
        case "header"?:
            condition = object["header"].flatMap { decodeHeaderMatch($0, at: object.path("header")) }.map { .header($0) }
        default:
            break
        }
        let tags = object["requireTags"].flatMap { names($0, at: object.path("requireTags"), max: ModelInfoConfig.maxTags) } ?? []
        let minTier = integer(object["minTier"], at: object.path("minTier"), in: 0...ModelInfoConfig.maxTier,
                              expected: "an integer from 0 to \(ModelInfoConfig.maxTier)", required: false)
        if tags.isEmpty && minTier == nil && !object.has("requireTags") && !object.has("minTier") {
            report(path, "a class needs \"requireTags\" or \"minTier\"; without them it would change nothing")
        }
        guard issues.count == before, let name, let condition else { return nil }
        return AutoClassConfig(name: name, condition: condition, requireTags: tags, minTier: minTier)
    }

    /// A non-empty array of at most `max` non-empty strings (tags).
    private mutating func names(_ value: JSONValue, at path: String, max: Int) -> [String]? {
        guard let list = array(value, at: path, nonEmpty: "expected at least one tag") else { return nil }
        guard list.count <= max else {
            report(path, "\(list.count) tags; at most \(max) are allowed")
            return nil
        }
        var result: [String] = []
        for (index, element) in list.enumerated() {
            if let tag = string(element, at: JSONPath.element(path, index), required: true) { result.append(tag) }
        }
        return result.count == list.count ? result : nil
    }

    /// Every `auto` candidate names a backend's `modelInfo` entry; the candidates of one `auto`
    /// model have prices in one currency (costs are compared as numbers); some candidate exists.
    mutating func checkAutoCandidates(routes: [RouteConfig?], backends: [BackendConfig?], at routesPath: String) {
        let backends = backends.compactMap { $0 }
        for (routeIndex, route) in routes.enumerated() {
            guard let route else { continue }
            for (autoIndex, auto) in route.auto.enumerated() {
                let path = "\(JSONPath.element(routesPath, routeIndex)).auto[\(autoIndex)]"
                var currencies: Set<String> = []
                if let candidates = auto.candidates {
                    for (index, candidate) in candidates.enumerated() {
                        let candidatePath = "\(path).candidates[\(index)]"
                        guard let backend = backends.first(where: { $0.name == candidate.backend }) else {
                            report("\(candidatePath).backend", "unknown backend \(ConfigIssue.quoted(candidate.backend))")
                            continue
                        }
                        guard backend.modelInfo[candidate.model] != nil else {
                            report("\(candidatePath).model", "backend \(ConfigIssue.quoted(backend.name)) has no modelInfo for \(ConfigIssue.quoted(candidate.model))")
                            continue
                        }
                        if let price = backend.prices[candidate.model] { currencies.insert(price.currency) }
                    }
                } else {
                    if !backends.contains(where: { !$0.modelInfo.isEmpty }) {
                        report(path, "no backend has modelInfo, so this auto model has no candidates")
                    }
                    for backend in backends {
                        for model in backend.modelInfo.keys { if let price = backend.prices[model] { currencies.insert(price.currency) } }
                    }
                }
                if currencies.count > 1 {
                    report(path, "the candidates are priced in \(currencies.sorted().joined(separator: ", ")); costs can only be compared in one currency")
                }
            }
        }
    }
}

/// `defaults.priorities`.
extension ProxyConfigDecoding {
    /// `{"levels": ["interactive", "batch"], "default": "batch", "reservedPercent": 25}`: 2 to 8
    /// unique names, highest first; `default` one of them (default: the lowest); the share of
    /// each backend's concurrency kept for the top class (default: none).
    mutating func decodePriorities(_ value: JSONValue, at path: String) -> PriorityConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["levels", "default", "reservedPercent"], issues: &issues) else { return nil }
        guard let list = requiredArray(object["levels"], at: object.path("levels"), nonEmpty: "expected 2 to \(PriorityConfig.maxLevels) class names, highest first")
        else { return nil }
        let before = issues.count
        var levels: [(name: String, path: String)] = []
        for (index, element) in list.enumerated() {
            let elementPath = JSONPath.element(object.path("levels"), index)
            if let name = name(element, at: elementPath) { checkUnique(name, kind: "priority", at: elementPath, owner: elementPath, names: &levels) }
        }
        if list.count < 2 || list.count > PriorityConfig.maxLevels {
            report(object.path("levels"), "\(list.count) classes; expected 2 to \(PriorityConfig.maxLevels), highest first")
        }
        var defaultLevel = levels.count - 1
        if let name = string(object["default"], at: object.path("default"), required: false) {
            if let index = levels.firstIndex(where: { $0.name == name }) { defaultLevel = index } else {
                report(object.path("default"), "\(ConfigIssue.quoted(name)) is not one of the levels")
            }
        }
        let reserved = integer(object["reservedPercent"], at: object.path("reservedPercent"), in: 1...90,
                               expected: "an integer from 1 to 90", required: false)
        guard issues.count == before else { return nil }
        return PriorityConfig(levels: levels.map(\.name), defaultLevel: defaultLevel, reservedPercent: reserved)
    }
}
