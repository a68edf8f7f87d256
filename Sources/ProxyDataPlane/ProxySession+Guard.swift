import ProxyCore
import ProxyHTTPServer
import ProxyIO
import ProxyUpstream

/// Where the guard request phase left the request.
enum GuardRequestStep {
    case finished(PhaseResult)
    /// A moderation call is in flight; the phases go on when it ends.
    case awaitingModeration
}

/// Whether a guard let an answer's bytes pass, cut the answer, or holds its end until the
/// moderation service answered.
enum GuardCut {
    case passed
    case blocked
    case awaitingModeration
}

/// The guard response phase's state for one request: the route's guard, on a 2xx event stream
/// the scanner of its answer, and the moderation of the answer (`ProxySession+AnswerModeration.swift`).
struct ResponseGuard {
    let index: Int
    var stream: GuardAnswerStream?
    /// The moderation call in flight, when it went to the service (not answered from the cache).
    var call: (any UpstreamHandle)?
    /// What waits for the answer's last verdict before the request ends.
    var ending: ModeratedEnding?
}

/// Phases 5 and 9, guard request and guard response (`docs/guard.md`). The response side is one
/// seam: `guardPass`, the last step before the client (after the usage filter and the translator:
/// it reads the answer in the client's API).
extension ProxySession {
    /// Runs the route's guard on the request: finished (`.next` when the request goes on,
    /// maybe redacted), or waiting for the guard's moderation service.
    func runGuardRequest(routeIndex: Int) -> GuardRequestStep {
        guard let index = snapshot.routeGuards[routeIndex] else { return .finished(.next) }
        let policy = snapshot.guards[index]
        if policy.checksAnswers { responseGuard = ResponseGuard(index: index) }
        let outcome = GuardRequestPhase.run(body: body, path: head.path, policy: policy) { findings in
            recordGuard(findings, guard: index, phase: "request")
        }
        switch outcome {
        case .next:
            break
        case .unsupported(let local):
            return .finished(.answer(local))
        case .redacted(let rewritten):
            replaceBody(rewritten)
        case .blocked(let rule):
            return .finished(blockAnswer(rule, policy: policy))
        }
        guard let rule = policy.requestModerationRule, GuardAPIShape(path: head.path) != nil else { return .finished(.next) }
        let texts = policy.checkedTexts(in: body).compactMap { GuardMessageExtractor.decode(body, $0.range) }
        guard !texts.isEmpty else { return .finished(.next) }
        startModeration(rule: rule, guard: index, texts: texts)
        return .awaitingModeration
    }

    /// The answer to a blocked request: the guard's `blockedResponse`, written here in completion mode.
    private func blockAnswer(_ rule: GuardRuleConfig, policy: GuardPolicy) -> PhaseResult {
        context.errorCode = "content_blocked"
        let created = loop.scheduler.wallNanoseconds() / 1_000_000_000
        switch GuardRequestPhase.reply(to: rule, policy: policy, path: head.path, stream: context.streamRequested,
                                       requestID: context.requestID, created: created) {
        case .error(let local):
            return .answer(local)
        case .completion(let reply, let eventStream):
            var headers = HTTPHeaders(reservingCapacity: 12)
            headers.append(name: "content-type", value: eventStream ? "text/event-stream" : "application/json")
            headers.append(name: "x-request-id", value: context.requestID)
            appendSidecarHeaders(to: &headers)
            response.writeHead(HTTPResponseHead(status: 200, headers: headers), contentLength: reply.count)
            reply.withUnsafeBytes { response.writeBody($0) }
            response.finish()
            context.bytesToClient += reply.count
            return .answered(status: 200)
        }
    }

    // MARK: Moderation

    /// Asks the guard's moderation service about the prompt's `texts`. The call runs as this
    /// request's transfer (a client that leaves cancels it); its verdict continues the phases.
    private func startModeration(rule: Int, guard index: Int, texts: [[UInt8]]) {
        guard let hook = snapshot.guards[index].config.rules[rule].moderation else { return }
        transfer = callModeration(hook, guard: index, texts: texts) { [self] verdict, took in
            transfer = nil
            suspendedPhase = .moderation(verdict, rule: rule, guard: index, took: took)
            perform(machine.phaseResumed())
        }
    }

    /// Sends `texts` to `hook` (the moderation rule of guard `index`, with the guard's key when
    /// it has one) through the loop's libcurl multi, unless the loop's cache knows
    /// their verdict. `done` gets the verdict and the call's duration (nil from the cache) on a
    /// loop timer, never inside libcurl's callback; a request that ended meanwhile ignores it.
    /// The handle of the call, when one was made. Must not run inside a libcurl callback.
    func callModeration(_ hook: GuardModerationConfig, guard index: Int, texts: [[UInt8]],
                        done: @escaping (GuardModerationVerdict, ProxyDuration?) -> Void) -> (any UpstreamHandle)? {
        let body = GuardModeration.requestBody(texts: texts)
        let key = GuardModerationCache.Key(url: hook.url.description, thresholds: hook.thresholds, body: body)
        if let cached = loopSnapshot.moderationCache.verdict(for: key) {
            _ = loop.scheduler.schedule(at: loop.scheduler.now()) { done(cached, nil) }
            return nil
        }
        var headers = HTTPHeaders(reservingCapacity: 3)
        headers.append(name: "content-type", value: "application/json")
        headers.append(name: "x-request-id", value: context.requestID)
        if let credentials = hook.credentials, let secret = snapshot.loaded.moderationKeys[index] {
            headers.append(name: credentials.header.fieldName, value: credentials.header.valuePrefix + secret)
        }
        let request = UpstreamRequest(method: .post, url: hook.url.description, headers: headers, body: body,
                                      timeouts: ServiceCall.timeouts(within: hook.timeout))
        let started = loop.scheduler.now()
        // Strong: the call ends (verdict or cancel) before the session does, and drops the closure then.
        let thresholds = hook.thresholds
        let call = ServiceCall(limit: GuardModeration.maxAnswerBytes) { [self] answer in
            let verdict: GuardModerationVerdict = switch answer {
            case .answered(let status, let body): GuardModeration.verdict(status: status, body: body, thresholds: thresholds)
            case .tooLarge: .failed(kind: "invalid")
            case .failed(let timedOut): .failed(kind: timedOut ? "timeout" : "connect")
            }
            let now = loop.scheduler.now()
            loopSnapshot.moderationCache.store(verdict, for: key)
            _ = loop.scheduler.schedule(at: now) { done(verdict, now.duration(since: started)) }
        }
        let handle = loop.upstream.prepare(request, delegate: call)
        guard let handle else {
            call.fail()
            return nil
        }
        handle.start()
        return handle
    }

    /// Counts a moderation verdict (duration or cache hit, errors) and says whether the rule's
    /// action applies: flagged, or failed with `failMode: closed`. Records the decision when it does.
    func moderationApplies(_ verdict: GuardModerationVerdict, took: ProxyDuration?, rule index: Int, guard guardIndex: Int,
                           phase: String) -> Bool {
        if let took {
            loopSnapshot.guardModerationDuration(guard: guardIndex, phase: phase).observe(Double(took.nanoseconds) / 1e9)
        } else {
            loopSnapshot.guardModerationCacheHits(guard: guardIndex, phase: phase).increment()
        }
        let applies: Bool
        switch verdict {
        case .allowed:
            applies = false
        case .flagged:
            applies = true
        case .failed(let kind):
            loopSnapshot.guardModerationErrors(guard: guardIndex, phase: phase, kind: kind).increment()
            applies = snapshot.guards[guardIndex].config.rules[index].moderation?.failMode == .closed
        }
        if applies {
            let matcher = if case .failed = verdict { "moderation_failed" } else { "moderation" }
            recordGuard([GuardFinding(rule: index, matcher: matcher, matchedBytes: 0)], guard: guardIndex, phase: phase)
        }
        return applies
    }

    /// The moderation service's verdict on the prompt, applied when the suspended phases resume.
    func moderationFinished(_ verdict: GuardModerationVerdict, rule index: Int, guard guardIndex: Int, took: ProxyDuration?) {
        let policy = snapshot.guards[guardIndex]
        let rule = policy.config.rules[index]
        guard moderationApplies(verdict, took: took, rule: index, guard: guardIndex, phase: "request") else { return finishPhases(.next) }
        if case .block = rule.action { return finishPhases(blockAnswer(rule, policy: policy)) }
        finishPhases(.next)
    }

    /// Counts guard decisions and writes their audit lines.
    func recordGuard(_ findings: [GuardFinding], guard index: Int, phase: String) {
        let guardConfig = snapshot.guards[index].config
        for finding in findings {
            loopSnapshot.guardDecisions(guard: index, rule: finding.rule, phase: phase).increment()
            let rule = guardConfig.rules[finding.rule]
            loop.dataPlane.guardAudit.write(GuardAuditEntry(requestID: context.requestID, consumer: context.consumerName,
                                                            route: context.decision?.routeName ?? "none", guardName: guardConfig.name,
                                                            rule: rule.name, phase: phase, action: rule.action.name,
                                                            matcher: finding.matcher, matchedBytes: finding.matchedBytes),
                                            wallNanoseconds: loop.scheduler.wallNanoseconds(), file: snapshot.guardAuditFiles[index])
        }
    }

    // MARK: Guard response

    /// A 2xx event stream is about to pass to the client: its answer goes through the guard from here on.
    func beginGuardedStream() {
        guard let index = responseGuard?.index else { return }
        responseGuard?.stream = GuardAnswerStream(policy: snapshot.guards[index], shape: GuardAPIShape(path: head.path) ?? .openAIChat)
    }

    /// Passes upstream bytes on to `emit` through the answer's guard (or straight when it has none).
    /// Returns true when a block rule ended the answer: the caller stops the transfer.
    func guardPass(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let index = responseGuard?.index, responseGuard?.stream != nil else {
            emit(bytes)
            return false
        }
        // Mutated in place: a copy of the stream would copy its buffers on every chunk.
        let findings = responseGuard!.stream!.feed(bytes, emit: emit)
        if !findings.isEmpty { recordGuard(findings, guard: index, phase: "response") }
        moderateStreamIfDue(final: false)
        return responseGuard!.stream!.blockedRule != nil
    }

    /// The upstream stream ended: what the guard still holds goes on (or into the moderation hold).
    func guardFinish(_ emit: (UnsafeRawBufferPointer) -> Void) {
        guard let index = responseGuard?.index, responseGuard?.stream != nil else { return }
        let findings = responseGuard!.stream!.finish(emit: emit)
        if !findings.isEmpty { recordGuard(findings, guard: index, phase: "response") }
    }

    /// Checks a whole held JSON answer; the body to send instead, or nil to send it as it is.
    func guardWholeAnswer(_ body: [UInt8]) -> [UInt8]? {
        guard let index = responseGuard?.index else { return nil }
        let check = snapshot.guards[index].checkAnswer(body)
        if !check.findings.isEmpty { recordGuard(check.findings, guard: index, phase: "response") }
        if check.block != nil { context.errorCode = "content_blocked" }
        return check.body
    }

    /// Whether a JSON answer too large to hold must be refused: it cannot be checked whole.
    var guardRefusesUnheldAnswer: Bool { responseGuard != nil }

    /// A block rule ended a committed stream: the safe ending is written; stop the transfer and end.
    func endGuardedStream() {
        context.errorCode = context.errorCode ?? "content_blocked"
        transfer?.cancel()
        transfer = nil
        decide { $0.upstreamFinished(.complete, verdict: .complete, at: $1, random: $2, budget: &$3, isAvailable: $4) }
    }
}
