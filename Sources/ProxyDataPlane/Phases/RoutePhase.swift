import ProxyCore

/// Phase 6, route: the first matching route and its split pick, re-picked around ejected
/// backends and with reduced weights for slow ones; the upstream model. When the client's
/// model names one of the route's `auto` models, that model ranks the registry instead
/// (`docs/routing.md`): the first candidate is the target, the rest the fallback chain
/// (`context.autoRoute`). The attempt plan (retries, fallbacks, deadline) is built from the
/// decision by the session.
enum RoutePhase {
    static func run(head: HTTPRequestHead, body: [UInt8], on loopSnapshot: LoopSnapshot, context: inout RequestContext,
                    now: ProxyInstant, wallNanoseconds: () -> UInt64, random: () -> UInt64) -> PhaseResult {
        let snapshot = loopSnapshot.snapshot
        // The queue class travels with the routing decision into every attempt's admission. A
        // consumer's own class caps what its header can ask for.
        if let priorities = snapshot.priorities {
            let ceiling = snapshot.consumers.limits(of: context.consumer)?.priority
            guard let level = priorities.level(of: head.headers, ceiling: ceiling) else {
                let allowed = priorities.levels.map { "\"\($0)\"" }.joined(separator: ", ")
                return .answer(LocalAnswer(status: 400, code: "invalid_priority",
                                           message: "\(PriorityConfig.header) must be one of \(allowed)"))
            }
            context.priority = level
        }
        guard var decision = snapshot.routes.route(path: head.path, model: context.clientModel, headers: head.headers,
                                                   random: random()) else {
            let message = context.clientModel.map { "no route matches model \"\($0)\" on \(head.path)" }
                ?? "no route matches \(head.path)"
            return .answer(LocalAnswer(status: 404, code: "no_route", message: message))
        }
        if let auto = snapshot.routes.autoModel(for: decision, model: context.clientModel) {
            let (_, outcome) = snapshot.decide(auto, body: body, headers: head.headers, consumer: context.consumer, now: now,
                                               wallNanoseconds: wallNanoseconds)
            let chosen = snapshot.routes.autoRoute(decision, auto: auto, outcome: outcome)
            loopSnapshot.routingDecision(route: decision.routeIndex, entry: chosen?.1.entry, reason: outcome.reason,
                                         matchedClass: outcome.matchedClass).increment()
            guard let (autoDecision, choice) = chosen else {
                return .answer(LocalAnswer(status: 400, code: "no_capable_model", message: snapshot.noCandidateMessage(auto, outcome)))
            }
            context.decision = autoDecision
            context.autoRoute = choice
            context.upstreamModel = autoDecision.upstreamModel
            return .next
        }
        if snapshot.adjustsRouting {
            let states = snapshot.backendStates
            decision = snapshot.routes.adjust(decision, model: context.clientModel, headers: head.headers, random: random(),
                                              weightPercent: { states[$0].weightPercent(at: now) },
                                              available: { states[$0].isAvailable(at: now) })
        }
        context.decision = decision
        let backend = snapshot.backends[decision.backendIndex]
        context.upstreamModel = decision.upstreamModel ?? context.clientModel.map { backend.models[$0] ?? $0 }
        return .next
    }
}
