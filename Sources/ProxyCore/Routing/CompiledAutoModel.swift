/// An `auto` model of a route, compiled: its candidates as registry entry indices, its class
/// rules compiled. Decides per request (`decide`), purely from the request's needs, its
/// headers, and the live figures and availability the caller passes in.
package struct CompiledAutoModel: Sendable {
    package let name: String
    package let strategy: AutoStrategy
    /// Registry entry indices, in the configured order (the last tie-break).
    package let candidates: [Int]
    let contextMarginPercent: Int
    let expectedOutputTokens: Int
    let classes: [CompiledAutoClass]
    /// Cheaper choices for a consumer past a share of its quotas; nil: none.
    package let overBudget: OverBudgetConfig?

    /// The capabilities a request can need (`RequestNeeds.capabilities`).
    private static let requestCapabilities: [ModelCapability] = [.tools, .vision, .json]

    /// Compiled against `registry`; the issues of a config that skipped validation otherwise.
    init(_ config: AutoModelConfig, registry: ModelRegistry, backends: [BackendConfig], at path: String,
         issues: inout [ConfigIssue]) {
        name = config.name
        strategy = config.strategy
        contextMarginPercent = config.contextMarginPercent
        expectedOutputTokens = config.expectedOutputTokens
        overBudget = config.overBudget
        var candidates: [Int] = []
        if let listed = config.candidates {
            for (index, candidate) in listed.enumerated() {
                guard let backend = backends.firstIndex(where: { $0.name == candidate.backend }),
                      let entry = registry.index(backend: backend, model: candidate.model) else {
                    issues.append(ConfigIssue(path: "\(path).candidates[\(index)]",
                                              message: "no modelInfo for model \(ConfigIssue.quoted(candidate.model)) on backend \(ConfigIssue.quoted(candidate.backend))"))
                    continue
                }
                candidates.append(entry)
            }
        } else {
            candidates = Array(registry.entries.indices)
        }
        self.candidates = candidates
        var classes: [CompiledAutoClass] = []
        for (index, rule) in config.classes.enumerated() {
            guard let compiled = CompiledAutoClass(rule) else {
                issues.append(ConfigIssue(path: "\(path).classes[\(index)]", message: "not a valid regular expression"))
                continue
            }
            classes.append(compiled)
        }
        self.classes = classes
    }

    /// The candidates for one request, best first, and every entry's verdict.
    ///
    /// Hard exclusions (the request cannot be served there): a missing capability, more output
    /// than the model produces, prompt plus output over the context window less its margin, a
    /// class rule's tags or tier. Soft ones: a tier above `overBudget.maxTier` while the
    /// consumer is over budget, an ejected backend (`available(backendIndex)` false), a live
    /// p95 over `cost-within-latency`'s threshold. When only soft-excluded candidates remain
    /// they are ranked and used anyway (`degraded`): better a slow, probing or dearer backend
    /// than a refusal, as a split does with ejected backends.
    /// `figures(entry)`: the entry's live figures, nil below the minimum sample count.
    /// `quotaUsedPercent`: the largest share of its quotas the request's consumer has used
    /// (nil: it has none); past `overBudget.usedPercent` the over-budget rule applies.
    /// Pure; called on the request's event loop (and by explain).
    package func decide(needs: RequestNeeds, headers: HTTPHeaders, registry: ModelRegistry, quotaUsedPercent: Int? = nil,
                        figures: (Int) -> LatencyFigures?, available: (Int) -> Bool) -> AutoDecision {
        let matchedClass = classes.first { $0.applies(lastUserMessage: needs.lastUserMessage, headers: headers) }
        var budget: AutoDecision.Budget?
        if let overBudget, let used = quotaUsedPercent {
            budget = used >= overBudget.usedPercent ? .over(usedPercent: used, rule: overBudget) : .within(usedPercent: used)
        }
        var strategy = self.strategy
        var maxTier: Int?
        if case .over(_, let rule) = budget {
            strategy = rule.strategy ?? strategy
            maxTier = rule.maxTier
        }
        let output = needs.requestedOutputTokens ?? expectedOutputTokens
        var verdicts: [AutoDecision.Verdict] = []
        verdicts.reserveCapacity(candidates.count)
        for entryIndex in candidates {
            let entry = registry.entries[entryIndex]
            let live = figures(entryIndex)
            let cost = entry.price.map {
                Double(needs.promptTokens) * $0.input / 1_000_000 + Double(output) * $0.output / 1_000_000
            }
            let exclusion = exclusion(of: entry, needs: needs, matchedClass: matchedClass, maxTier: maxTier, strategy: strategy,
                                      figures: live, available: available)
            verdicts.append(AutoDecision.Verdict(entry: entryIndex, estimatedCost: cost, figures: live, exclusion: exclusion))
        }
        var reason: AutoDecision.Reason
        switch strategy {
        case .cost: reason = .cost
        case .latency: reason = .latency
        case .costWithinLatency: reason = .costWithinLatency
        }
        var chosen = verdicts.indices.filter { verdicts[$0].exclusion == nil }
        if chosen.isEmpty {
            chosen = verdicts.indices.filter { verdicts[$0].exclusion?.isSoft ?? false }
            reason = chosen.isEmpty ? .noCandidate : .degraded
        }
        chosen.sort { Self.rankedBefore(verdicts[$0], verdicts[$1], strategy: strategy, registry: registry) ?? ($0 < $1) }
        return AutoDecision(ranked: chosen.map { verdicts[$0].entry }, verdicts: verdicts, matchedClass: matchedClass?.name,
                            reason: reason, budget: budget)
    }

    private func exclusion(of entry: ModelRegistry.Entry, needs: RequestNeeds, matchedClass: CompiledAutoClass?, maxTier: Int?,
                           strategy: AutoStrategy, figures: LatencyFigures?, available: (Int) -> Bool) -> CandidateExclusion? {
        for capability in Self.requestCapabilities
        where needs.capabilities.contains(capability) && !entry.info.capabilities.contains(capability) {
            return .capability(capability)
        }
        if let requested = needs.requestedOutputTokens, let max = entry.info.maxOutputTokens, requested > max {
            return .output(requested: requested, max: max)
        }
        let needed = needs.promptTokens + (needs.requestedOutputTokens ?? 0)
        let usable = entry.info.contextWindow - entry.info.contextWindow * contextMarginPercent / 100
        if needed > usable { return .context(needed: needed, window: entry.info.contextWindow) }
        if let matchedClass, !matchedClass.admits(entry.info) { return .classRule(matchedClass.name) }
        if let maxTier, entry.info.tier > maxTier { return .budget(tier: entry.info.tier, maxTier: maxTier) }
        if !available(entry.backendIndex) { return .breaker }
        if case .costWithinLatency(let max) = strategy, let p95 = figures?.p95, p95 > max {
            return .latency(p95: p95, max: max)
        }
        return nil
    }

    /// Whether `a` ranks before `b` under the strategy; nil on a tie (then configured order).
    /// Unknown costs rank after known ones; unmeasured latencies after measured ones.
    private static func rankedBefore(_ a: AutoDecision.Verdict, _ b: AutoDecision.Verdict, strategy: AutoStrategy,
                                     registry: ModelRegistry) -> Bool? {
        if case .latency = strategy, let order = Self.compare(a.figures?.p95, b.figures?.p95) { return order }
        if let order = Self.compare(a.estimatedCost, b.estimatedCost) { return order }
        let (tierA, tierB) = (registry.entries[a.entry].info.tier, registry.entries[b.entry].info.tier)
        return tierA == tierB ? nil : tierA > tierB
    }

    /// Smaller first, present before absent; nil when equal or both absent.
    private static func compare<Value: Comparable>(_ a: Value?, _ b: Value?) -> Bool? {
        switch (a, b) {
        case let (a?, b?): a == b ? nil : a < b
        case (.some, nil): true
        case (nil, .some): false
        case (nil, nil): nil
        }
    }
}
