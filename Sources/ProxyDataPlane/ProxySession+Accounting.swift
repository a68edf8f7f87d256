import ProxyCore
import ProxyHTTPServer

/// Phase: account. Token counts come from what the provider reports, never from guessing:
/// non-streamed bodies carry `usage`; for OpenAI-style streams the proxy asks for the usage
/// chunk (`stream_options.include_usage`) and, when the client had not asked for it, removes it
/// from what the client receives, so the client sees the stream it would have seen.
extension ProxySession {
    /// The request body with `stream_options.include_usage: true` for OpenAI-style streams.
    func withUsageRequested(_ body: [UInt8], backend: BackendRuntime) -> [UInt8] {
        forcedUsage = false
        guard streamRequested, backend.acceptsIncludeUsage,
              head.path.hasSuffix("/chat/completions") || head.path.hasSuffix("/completions") else { return body }
        guard case .success(let rewrite) = JSONBodyRewriter.ensuringIncludeUsage(in: body) else { return body }
        forcedUsage = !rewrite.clientRequestedUsage
        return rewrite.body
    }

    /// Sends body bytes to the client, through the usage filter on streams.
    func passOn(_ bytes: UnsafeRawBufferPointer) {
        bytesToClient += bytes.count
        if usageFilter != nil {
            usageFilter!.feed(bytes) { response.writeBody($0) }
        } else {
            response.writeBody(bytes)
        }
    }

    /// Records a finished response's usage (and cost) in the metrics and for the access log.
    func account(_ reported: TokenUsage) {
        guard let decision, let target = plan?.current else { return }
        usage = reported
        let generation = firstByteAt.map { context.loop.clock.now().duration(since: $0) }
        if let model = target.model, reported.reported {
            cost = snapshot.backends[target.backendIndex].costs.cost(of: reported, model: model)
        }
        context.recordUsage(reported, snapshot: snapshot, decision: decision, backendIndex: target.backendIndex,
                            upstreamModel: target.model, metricModel: clientModel, generation: generation)
    }
}
