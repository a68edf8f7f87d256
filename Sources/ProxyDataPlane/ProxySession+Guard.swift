import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// Whether a guard let an answer's bytes pass or cut the answer.
enum GuardCut {
    case passed
    case blocked
}

/// The guard response phase's state for one request: the route's guard and, on a 2xx event
/// stream, the scanner of its answer.
struct ResponseGuard {
    let index: Int
    var stream: GuardAnswerStream?
}

/// Phases 5 and 9, guard request and guard response (`docs/guard.md`). The response side is one
/// seam: `guardPass` between the upstream bytes and the account phase's filter.
extension ProxySession {
    /// Runs the route's guard on the request; `.next` when the request goes on (maybe redacted).
    func runGuardRequest(routeIndex: Int) -> PhaseResult {
        guard let index = snapshot.routeGuards[routeIndex] else { return .next }
        let policy = snapshot.guards[index]
        if !policy.response.isEmpty { responseGuard = ResponseGuard(index: index) }
        let outcome = GuardRequestPhase.run(body: body, path: head.path, policy: policy) { findings in
            recordGuard(findings, guard: index, phase: "request")
        }
        switch outcome {
        case .next:
            return .next
        case .unsupported(let local):
            return .answer(local)
        case .redacted(let rewritten):
            replaceBody(rewritten)
            return .next
        case .blocked(let rule):
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
                                            wallNanoseconds: loop.scheduler.wallNanoseconds())
        }
    }

    // MARK: Guard response

    /// A 2xx event stream is about to pass to the client: its answer goes through the guard from here on.
    func beginGuardedStream() {
        guard let index = responseGuard?.index else { return }
        responseGuard?.stream = GuardAnswerStream(policy: snapshot.guards[index])
    }

    /// Passes upstream bytes on to `emit` through the answer's guard (or straight when it has none).
    /// Returns true when a block rule ended the answer: the caller stops the transfer.
    func guardPass(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard var guarded = responseGuard, var stream = guarded.stream else {
            emit(bytes)
            return false
        }
        let findings = stream.feed(bytes, emit: emit)
        guarded.stream = stream
        responseGuard = guarded
        if !findings.isEmpty { recordGuard(findings, guard: guarded.index, phase: "response") }
        return stream.blockedRule != nil
    }

    /// The upstream stream ended: what the guard still holds goes on.
    func guardFinish(_ emit: (UnsafeRawBufferPointer) -> Void) {
        guard var guarded = responseGuard, var stream = guarded.stream else { return }
        let findings = stream.finish(emit: emit)
        guarded.stream = nil
        responseGuard = guarded
        if !findings.isEmpty { recordGuard(findings, guard: guarded.index, phase: "response") }
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
