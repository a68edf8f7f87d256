import ProxyCore

/// Phase 6, route: the first matching route and its split pick, re-picked around ejected
/// backends and with reduced weights for slow ones; the upstream model. The attempt plan
/// (retries, fallbacks, deadline) is built from the decision by the session.
enum RoutePhase {
    static func run(head: HTTPRequestHead, snapshot: ProxySnapshot, context: inout RequestContext, now: ProxyInstant,
                    random: () -> UInt64) -> PhaseResult {
        guard var decision = snapshot.routes.route(path: head.path, model: context.clientModel, headers: head.headers,
                                                   random: random()) else {
            let message = context.clientModel.map { "no route matches model \"\($0)\" on \(head.path)" }
                ?? "no route matches \(head.path)"
            return .answer(LocalAnswer(status: 404, code: "no_route", message: message))
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
