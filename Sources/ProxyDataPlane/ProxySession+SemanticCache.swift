import ProxyCore
import ProxyUpstream

/// Phase 7's semantic tier: the embeddings call, made through the loop's libcurl multi as
/// this request's transfer (a client that leaves cancels it), bounded by the tier's `timeout`.
extension ProxySession {
    /// Sends `embedding.text` to the route's embeddings backend; its answer (or failure)
    /// resumes the phases on a loop timer, never inside libcurl's callback.
    func startEmbedding(_ embedding: CacheLookupPhase.SemanticEmbedding) -> PhaseResult {
        let backend = snapshot.backends[embedding.backend]
        let now = loop.scheduler.now()
        var headers = HTTPHeaders(reservingCapacity: 3)
        headers.append(name: "content-type", value: "application/json")
        headers.append(name: "x-request-id", value: context.requestID)
        let key = backend.keyRing?.pick(now: now) ?? 0
        backend.appendCredential(key, to: &headers)
        let timeouts = ServiceCall.timeouts(within: embedding.config.timeout)
        let request = UpstreamRequest(method: .post, url: backend.url(path: "/v1/embeddings", query: nil, model: embedding.config.model),
                                      headers: headers, body: EmbeddingsExchange.requestBody(text: embedding.text, model: embedding.config.model),
                                      timeouts: timeouts, tls: backend.tls,
                                      secretMasker: backend.keys.indices.contains(key) ? backend.keys[key].masker : nil)
        // Strong: the call ends (answer or cancel) before the session does, and drops the closure then.
        let call = ServiceCall(limit: EmbeddingsExchange.maxAnswerBytes) { [self] answer in
            let outcome: EmbeddingOutcome = switch answer {
            case .answered(let status, let body): EmbeddingsExchange.vector(status: status, body: body)
            case .tooLarge: .failure(.invalid)
            case .failed(let timedOut): .failure(timedOut ? .timeout : .connect)
            }
            let finished = loop.scheduler.now()
            _ = loop.scheduler.schedule(at: finished) { [self] in
                transfer = nil
                suspendedPhase = .embedding(outcome, took: finished.duration(since: now))
                perform(machine.phaseResumed())
            }
        }
        guard let handle = loop.upstream.prepare(request, delegate: call) else {
            call.fail()
            return .suspend
        }
        transfer = handle
        handle.start()
        return .suspend
    }

    /// The embeddings call answered (or failed): the semantic lookup's result.
    func embeddingFinished(_ outcome: EmbeddingOutcome, took: ProxyDuration) -> PhaseResult {
        let now = loop.scheduler.now()
        return lookedUp(CacheLookupPhase.finishSemantic(outcome, took: took, snapshot: snapshot, context: &context, now: now,
                                                        on: loopSnapshot, loop: loop, waiter: self), now: now)
    }

    func sharedSemanticReadCompleted(_ outcome: SemanticRedisRead.Outcome) {
        suspendedPhase = .sharedSemanticRead(outcome)
        perform(machine.phaseResumed())
    }

    /// The Redis tier's vectors (and the record of the closest) answered, or failed.
    func sharedSemanticReadFinished(_ outcome: SemanticRedisRead.Outcome) -> PhaseResult {
        let now = loop.scheduler.now()
        return lookedUp(CacheLookupPhase.finishSharedSemantic(outcome, snapshot: snapshot, context: &context, now: now,
                                                              wallNanoseconds: loop.scheduler.wallNanoseconds(), on: loopSnapshot,
                                                              loop: loop), now: now)
    }
}

/// What the semantic tier's embeddings call gave: the vector, or why there is none.
typealias EmbeddingOutcome = Result<SemanticVector, EmbeddingsExchange.Failure>
