import ProxyCore

/// `auto` models on a snapshot: deciding with the live figures and breaker states, and feeding
/// the live figures.
extension ProxySnapshot {
    /// `auto`'s decision for a request of `consumer` (nil: anonymous) with `body` and
    /// `headers`, at `now`. A body that is not JSON (inspect has refused those already) counts
    /// as an empty prompt. The consumer's quota use is read (and the wall clock with
    /// `wallNanoseconds`) only when the model has an `overBudget` rule.
    /// Called on the request's event loop, and by explain.
    func decide(_ auto: CompiledAutoModel, body: [UInt8], headers: HTTPHeaders, consumer: Int?, now: ProxyInstant,
                wallNanoseconds: () -> UInt64) -> (RequestNeeds, AutoDecision) {
        let needs = RequestNeeds.read(body) ?? RequestNeeds(promptTokens: 0)
        let windows = liveWindows
        let states = backendStates
        var used: Int?
        if auto.overBudget != nil, let limiter = consumers.limits(of: consumer)?.tokenLimiter {
            used = limiter.quotaUsedPercent(at: MeterInstant(monotonic: now, wallNanoseconds: wallNanoseconds()))
        }
        let decision = auto.decide(needs: needs, headers: headers, registry: routes.registry, quotaUsedPercent: used,
                                   figures: { windows[$0].figures(at: now) },
                                   available: { states[$0].isAvailable(at: now) })
        return (needs, decision)
    }

    /// Feeds the live window of `target`'s registry entry, if it has one, with a time to first token.
    func recordFirstToken(of target: AttemptTarget, after duration: ProxyDuration, at now: ProxyInstant) {
        liveWindow(of: target)?.recordFirstToken(duration, at: now)
    }

    /// Feeds the live window of `target`'s registry entry, if it has one, with how an attempt ended.
    func recordAttempt(of target: AttemptTarget, _ result: EntryAttemptResult, at now: ProxyInstant) {
        liveWindow(of: target)?.recordAttempt(result, at: now)
    }

    /// Feeds the live window of `target`'s registry entry, if it has one, with a streamed
    /// answer's output speed.
    func recordGeneration(of target: AttemptTarget, outputTokens: Int, took: ProxyDuration, at now: ProxyInstant) {
        liveWindow(of: target)?.recordGeneration(outputTokens: outputTokens, took: took, at: now)
    }

    /// The live window of `target`'s registry entry: a dictionary lookup, only at backends the
    /// registry describes.
    private func liveWindow(of target: AttemptTarget) -> EntryLiveWindow? {
        guard !liveWindows.isEmpty else { return nil }
        let registry = routes.registry
        guard registry.hasEntries(backend: target.backendIndex), let model = target.model,
              let entry = registry.index(backend: target.backendIndex, model: model) else { return nil }
        return liveWindows[entry]
    }

    /// `no model of "auto" can serve this request: small: context: needs …; medium: capability: needs tools`.
    func noCandidateMessage(_ auto: CompiledAutoModel, _ decision: AutoDecision) -> String {
        let reasons = decision.verdicts.map { verdict in
            let entry = routes.registry.entries[verdict.entry]
            return "\(entry.backendName)/\(entry.model): \(verdict.exclusion?.description ?? "eligible")"
        }
        return "no model of \(ConfigIssue.quoted(auto.name)) can serve this request: " + reasons.joined(separator: "; ")
    }
}
