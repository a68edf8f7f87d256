import ProxyCore
import ProxyHTTPServer
import ProxyUpstream

/// What waits for the answer's last moderation verdict before the request ends.
enum ModeratedEnding {
    /// A committed stream's upstream ended (`end`): the rest of `finishCommitted` runs after the verdict.
    case stream(UpstreamEnd)
    /// A whole answer (a JSON body, or a stream held whole), written after the verdict with its length.
    case whole(status: Int, headers: HTTPHeaders, body: [UInt8], eventStream: Bool)
}

/// The moderation hook on answers (ADR 0027, `docs/guard.md`): on a stream the guard's
/// `GuardAnswerStream` holds the text until the service allowed it, and this drives its calls
/// (one at a time, every `streamWindow` characters and at the end) and the upstream's pause; a
/// whole answer is asked about once, before it is written.
extension ProxySession {
    /// The route's rule that moderates answers, with its hook.
    private var answerModeration: (rule: Int, hook: GuardModerationConfig)? {
        guard let index = responseGuard?.index, let rule = snapshot.guards[index].responseModerationRule,
              let hook = snapshot.guards[index].config.rules[rule].moderation else { return nil }
        return (rule, hook)
    }

    /// Whether the upstream must wait: a moderation call is in flight and the next window is full.
    var answerModerationWantsPause: Bool { responseGuard?.stream?.moderationWantsPause ?? false }

    /// Starts the stream's next moderation call when one is due (`final`: the upstream ended).
    func moderateStreamIfDue(final: Bool) {
        guard let (rule, hook) = answerModeration, let texts = responseGuard?.stream?.nextModerationCall(final: final) else { return }
        startAnswerModeration(hook, texts: texts) { [self] verdict, took in streamModerated(verdict, took: took, rule: rule) }
    }

    /// Starts a call about the answer from a timer: this runs as the answer's bytes arrive,
    /// inside libcurl's callbacks, where no transfer may start.
    private func startAnswerModeration(_ hook: GuardModerationConfig, texts: [[UInt8]],
                                       done: @escaping (GuardModerationVerdict, ProxyDuration?) -> Void) {
        _ = loop.scheduler.schedule(at: loop.scheduler.now()) { [self] in
            guard let index = responseGuard?.index else { return }  // the request ended meanwhile
            responseGuard?.call = callModeration(hook, guard: index, texts: texts) { [self] verdict, took in
                responseGuard?.call = nil
                done(verdict, took)
            }
        }
    }

    /// The committed stream's upstream ended: true when text still waits for the service (the
    /// request then ends from the verdict, with `end`'s rest of `finishCommitted`).
    func holdStreamEndForModeration(_ end: UpstreamEnd) -> Bool {
        guard responseGuard?.stream?.isAwaitingModeration == true else { return false }
        responseGuard?.ending = .stream(end)
        moderateStreamIfDue(final: true)
        return true
    }

    /// A whole answer about to be written: true when it waits for the service (it is written,
    /// and the request ends, from the verdict).
    func holdWholeAnswerForModeration(status: Int, headers: HTTPHeaders, body: [UInt8], eventStream: Bool) -> Bool {
        guard let (rule, hook) = answerModeration else { return false }
        if eventStream {
            // The stream went through its guard already: its hold has the text (a call may be in flight).
            guard responseGuard?.stream?.isAwaitingModeration == true else { return false }
            responseGuard?.ending = .whole(status: status, headers: headers, body: body, eventStream: true)
            moderateStreamIfDue(final: true)
            return true
        }
        guard let fields = body.withUnsafeBytes(GuardChoiceFields.read) else { return false }
        let texts = fields.choices.flatMap { [$0.reasoning, $0.content] }.compactMap { $0 }
            .compactMap { GuardMessageExtractor.decode(body, $0) }.filter { !$0.isEmpty }
        guard !texts.isEmpty else { return false }
        responseGuard?.ending = .whole(status: status, headers: headers, body: body, eventStream: false)
        startAnswerModeration(hook, texts: texts) { [self] verdict, took in wholeAnswerModerated(verdict, took: took, rule: rule) }
        return true
    }

    /// A verdict on a window of a stream's text.
    private func streamModerated(_ verdict: GuardModerationVerdict, took: ProxyDuration?, rule: Int) {
        guard let index = responseGuard?.index, responseGuard?.stream != nil else { return }
        let applies = moderationApplies(verdict, took: took, rule: rule, guard: index, phase: "response")
        if applies, case .block = snapshot.guards[index].config.rules[rule].action {
            context.errorCode = "content_blocked"
            emitModerated { responseGuard!.stream!.moderationBlocked(rule: rule, emit: $0) }
            guard let ending = responseGuard?.ending else { return endGuardedStream() }  // stops the transfer, then ends
            return finishModeratedEnding(ending)
        }
        emitModerated { responseGuard!.stream!.moderationAllowed(emit: $0) }
        guard let ending = responseGuard?.ending else {
            moderateStreamIfDue(final: false)
            return perform(machine.clientWritable())  // resumes an upstream the hold paused
        }
        moderateStreamIfDue(final: true)
        if responseGuard?.stream?.isModerationInFlight == true { return }  // the text gathered meanwhile: its verdict finishes
        emitModerated { responseGuard!.stream!.releaseModerated(emit: $0) }
        finishModeratedEnding(responseGuard?.ending ?? ending)
    }

    /// The verdict on a whole JSON answer: written as it is, or withheld with the rule's message.
    private func wholeAnswerModerated(_ verdict: GuardModerationVerdict, took: ProxyDuration?, rule: Int) {
        guard let index = responseGuard?.index, case .whole(let status, let headers, var body, let eventStream)? = responseGuard?.ending
        else { return }
        if moderationApplies(verdict, took: took, rule: rule, guard: index, phase: "response"),
           case .block = snapshot.guards[index].config.rules[rule].action,
           let withheld = snapshot.guards[index].blockedAnswer(body, rule: rule) {
            context.errorCode = "content_blocked"
            body = withheld
        }
        finishModeratedEnding(.whole(status: status, headers: headers, body: body, eventStream: eventStream))
    }

    /// Bytes the moderation released: to the client, or into the whole answer waiting to be written.
    private func emitModerated(_ produce: ((UnsafeRawBufferPointer) -> Void) -> Void) {
        if case .whole(let status, let headers, var body, let eventStream)? = responseGuard?.ending {
            produce { body.append(contentsOf: $0) }
            responseGuard?.ending = .whole(status: status, headers: headers, body: body, eventStream: eventStream)
        } else {
            produce { response.writeBody($0) }
        }
    }

    /// Writes what waited for the verdict and ends the request.
    private func finishModeratedEnding(_ ending: ModeratedEnding) {
        responseGuard?.ending = nil
        switch ending {
        case .stream(let upstreamEnd):
            finishCommittedTail(upstreamEnd)
        case .whole(let status, let headers, let body, _):
            context.bytesToClient += body.count
            response.writeHead(HTTPResponseHead(status: status, headers: headers), contentLength: body.count)
            body.withUnsafeBytes { response.writeBody($0) }
            response.finish()
        }
        end()
    }

    /// The client left while the answer's end waited for the service.
    func answerModerationAbandoned() {
        responseGuard?.ending = nil
        context.errorCode = context.errorCode ?? "client_closed"
        end()
    }
}
