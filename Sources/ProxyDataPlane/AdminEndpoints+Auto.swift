import ProxyCore

/// `POST /explain` for `auto` models: every candidate with its estimated cost, live figures
/// and what excluded it, the ranking and the choice.
extension DataPlane {
    /// The `auto` member of an explain answer and the decision the request would take, or nil
    /// when `model` names no `auto` model of the decision's route.
    func explainAuto(_ decision: RouteDecision, snapshot: ProxySnapshot, model: String?, body: [UInt8],
                     headers: HTTPHeaders, consumer: Int?) -> (document: JSONValue, decision: RouteDecision?)? {
        guard let auto = snapshot.routes.autoModel(for: decision, model: model) else { return nil }
        let now = clock.now()
        let (needs, outcome) = snapshot.decide(auto, body: body, headers: headers, consumer: consumer, now: now,
                                               wallNanoseconds: clock.wallNanoseconds)
        let registry = snapshot.routes.registry
        let candidates: [JSONValue] = outcome.verdicts.map { verdict in
            let entry = registry.entries[verdict.entry]
            var object = JSONObject([("backend", .string(entry.backendName)), ("model", .string(entry.model))])
            object["estimatedCost"] = verdict.estimatedCost.map { .number(JSONNumber(literal: "\($0)")) } ?? .null
            object["currency"] = entry.price.map { .string($0.currency) } ?? .null
            if let figures = verdict.figures {
                object["p50TimeToFirstTokenMs"] = .number(JSONNumber(Int(figures.p50.milliseconds)))
                object["p95TimeToFirstTokenMs"] = .number(JSONNumber(Int(figures.p95.milliseconds)))
                object["samples"] = .number(JSONNumber(figures.samples))
            } else {
                object["p95TimeToFirstTokenMs"] = .null
            }
            let traffic = snapshot.liveWindows[verdict.entry].traffic(at: now)
            object["attempts"] = .number(JSONNumber(traffic.attempts))
            object["errorRate"] = traffic.errorRate.map { .number(JSONNumber(literal: "\($0)")) } ?? .null
            object["outputTokensPerSecond"] = traffic.outputTokensPerSecond.map { .number(JSONNumber(Int($0.rounded()))) } ?? .null
            object["excludedBy"] = verdict.exclusion.map { .string($0.description) } ?? .null
            object["rank"] = outcome.ranked.firstIndex(of: verdict.entry).map { .number(JSONNumber($0 + 1)) } ?? .null
            return .object(object)
        }
        var document = JSONObject([
            ("name", .string(auto.name)),
            ("strategy", .string(auto.strategy.name)),
            ("reason", .string(outcome.reason.rawValue)),
            ("class", outcome.matchedClass.map { .string($0) } ?? .null),
            ("promptTokensEstimate", .number(JSONNumber(needs.promptTokens))),
            ("requestedOutputTokens", needs.requestedOutputTokens.map { .number(JSONNumber($0)) } ?? .null),
            ("needs", .array(needs.capabilities.members.map { .string($0.rawValue) })),
            ("candidates", .array(candidates)),
        ])
        document["budget"] = outcome.budget.map { budget in
            var object = JSONObject([("quotaUsedPercent", .number(JSONNumber(budget.usedPercent)))])
            if let rule = auto.overBudget { object["overBudgetAt"] = .number(JSONNumber(rule.usedPercent)) }
            switch budget {
            case .within: object["applied"] = .bool(false)
            case .over(_, let rule):
                object["applied"] = .bool(true)
                object["maxTier"] = rule.maxTier.map { .number(JSONNumber($0)) } ?? .null
                object["strategy"] = .string((rule.strategy ?? auto.strategy).name)
            }
            return .object(object)
        } ?? .null
        let chosen = snapshot.routes.autoRoute(decision, auto: auto, outcome: outcome)
        document["chosen"] = chosen.map { _, choice in
            let entry = registry.entries[choice.entry]
            return .object(JSONObject([("backend", .string(entry.backendName)), ("model", .string(entry.model))]))
        } ?? .null
        if chosen == nil { document["error"] = .string(snapshot.noCandidateMessage(auto, outcome)) }
        return (.object(document), chosen?.0)
    }
}
