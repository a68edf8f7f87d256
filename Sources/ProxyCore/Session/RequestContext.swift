/// What one request's phases found out, filled in as they run and read by later phases,
/// by the response headers, the access log and the metrics. One value per
/// request, owned by its session on its event loop.
package struct RequestContext: Sendable {
    /// `x-request-id`: the client's, or generated.
    package let requestID: String
    /// The trace the request belongs to (the app's, or started here).
    package let trace: TraceContext
    /// Whether `trace` came from the app (then `tracestate` goes along too).
    package let traceFromClient: Bool
    /// The sidecar's span in `trace`: forwarded upstream as the `traceparent` parent.
    package let span: TraceContext
    /// When the request's head arrived.
    package let started: ProxyInstant

    // authenticate, admit
    /// The consumer's index in the snapshot's `ConsumerTable`; nil: anonymous.
    package var consumer: Int?
    /// The consumer's name (`anonymous` when none), for the access log.
    package var consumerName = "anonymous"
    /// The consumer's request limit as counted for this request: the `x-ratelimit-*-requests` headers.
    package var requestLimit: RateLimitStatus?
    /// The consumer's token window with the fewest tokens left after this request's
    /// reservation: the `x-ratelimit-*-tokens` headers.
    package var tokenLimit: RateLimitStatus?
    /// What this request holds of its consumer's token limits and quotas, settled when it ends
    /// (with the per-model override's: by the override's combined limiter).
    package var tokenReservation: TokenReservation?
    /// The consumer's per-model override the request is counted by too (index in its `models`); nil: none.
    package var modelOverride: Int?

    // inspect
    /// The body's `model`, and where its string value sits in the body (for the rewrite).
    package var clientModel: String?
    package var modelRange: Range<Int>?
    package var streamRequested = false
    /// The client set `max_tokens` or `max_completion_tokens` (a `length` finish is then not truncation).
    package var clientSetMaxTokens = false
    /// The value of `max_completion_tokens`, else `max_tokens`, when the client set one.
    package var maxTokens: Int?
    /// The chat API the client speaks (nil: another endpoint, always passed through); it
    /// decides each attempt's translation and the shape of every error the client gets.
    package var clientAPI: ChatAPI?

    // route
    package var decision: RouteDecision?
    /// The model of the current (finally: the answering) attempt.
    package var upstreamModel: String?
    /// The backend of the current (finally: the answering) attempt: labels, headers and log say it.
    package var answeringBackend: AttemptTarget?
    /// What the route's `auto` model chose, when the client's model named one.
    package var autoRoute: AutoRouteChoice?
    /// The request's priority class (index into `defaults.priorities.levels`, 0 the highest;
    /// 0 when no classes are configured): its place in backend queues.
    package var priority = 0

    // cache lookup, cache store
    package var cache = CacheContext()

    // upstream attempts, account, logging
    /// A stable error `code` when the request failed or ended badly.
    package var errorCode: String?
    /// When the answer's first token arrived (a stream's first data event; a JSON body's first byte).
    package var firstTokenAt: ProxyInstant?
    package var bytesToClient = 0
    package var usage: TokenUsage?
    package var cost: Cost?

    package init(requestID: String, trace: TraceContext, traceFromClient: Bool, span: TraceContext, started: ProxyInstant) {
        self.requestID = requestID
        self.trace = trace
        self.traceFromClient = traceFromClient
        self.span = span
        self.started = started
    }
}
