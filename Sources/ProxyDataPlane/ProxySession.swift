import ProxyCore
import ProxyHTTPServer
import ProxyIO
import ProxyUpstream

/// One proxied request, as the fixed sequence of named phases in `docs/PHASES.md`:
/// parse → authenticate → admit → inspect → guard request → route → cache lookup →
/// upstream attempts → guard response → account → cache store → logging.
/// Any phase may answer locally; `logging` runs exactly once either way.
///
/// Loop-confined. The snapshot is captured when the request starts and kept to the end,
/// so a reload never changes a request midway.
final class ProxySession: HTTPExchange {
    let head: HTTPRequestHead
    let response: HTTPResponseWriter
    unowned(unsafe) let context: LoopContext  // per-loop, outlives every session on the loop
    let snapshot: ProxySnapshot
    let requestID: String
    /// The app's valid `traceparent`, or a new trace started here.
    let trace: TraceContext
    /// Whether `trace` came from the app (then `tracestate` goes along too).
    let traceFromClient: Bool
    let started: ProxyInstant
    var body: [UInt8] = []
    var bodyTooLarge = false

    // Filled in by the phases, read by later ones and by `logging`.
    var clientModel: String?
    var streamRequested = false
    var decision: RouteDecision?
    var upstreamModel: String?
    var attempts = 0
    var status = 0
    var errorCode: String?
    var firstByteAt: ProxyInstant?
    var bytesToClient = 0
    var transfer: UpstreamTransfer?
    var upstreamIsEventStream = false
    var logged = false

    // Upstream attempts (`ProxySession+Upstream.swift`).
    var plan: UpstreamAttemptStateMachine?
    var modelRange: Range<Int>?
    var clientSetMaxTokens = false
    var holdingSlot = false
    var queueTicket: ConcurrencyTicket?
    var queueTimer: LoopTimer?
    var retryTimer: LoopTimer?
    var attemptStartedAt: ProxyInstant?
    var mode = ResponseMode.waiting
    var held: [UInt8] = []
    var heldHead: (status: Int, headers: HTTPHeaders, eventStream: Bool)?
    /// The usage of a whole held JSON body, read with its truncation verdict in one pass.
    var heldUsage: TokenUsage?
    var lastFailure: UpstreamFailure?

    // Accounting (`ProxySession+Accounting.swift`).
    /// The proxy added `stream_options.include_usage` that the client did not ask for.
    var forcedUsage = false
    var usageFilter: UsageStreamFilter?
    var usage: TokenUsage?
    var cost: Cost?

    init(head: HTTPRequestHead, response: HTTPResponseWriter, context: LoopContext) {
        self.head = head
        self.response = response
        self.context = context
        self.snapshot = context.snapshot
        self.started = context.loop.clock.now()
        self.requestID = head.headers.first("x-request-id") ?? context.makeRequestID()
        if let value = head.headers.first("traceparent"), let incoming = TraceContext(traceparent: value) {
            trace = incoming
            traceFromClient = true
        } else {
            trace = TraceContext(random: context.random(), context.random(), context.random())
            traceFromClient = false
        }
    }

    // MARK: Phase: parse (the body arrives)

    func requestBodyPart(_ bytes: UnsafeRawBufferPointer) {
        guard !bodyTooLarge else { return }
        if body.count + bytes.count > snapshot.maxRequestBodyBytes {
            bodyTooLarge = true
            body = []
            return
        }
        body.append(contentsOf: bytes)
    }

    func requestEnded(trailers: HTTPHeaders) {
        if bodyTooLarge {
            return fail(413, "request_too_large", "the request body exceeds \(snapshot.maxRequestBodyBytes) bytes")
        }
        // authenticate and admit: consumers, model rights and limits arrive with their issue;
        // until then every request is admitted as anonymous.
        guard inspect() else { return }
        // guard request: content rules arrive with LLMGuardPolicy.
        guard route() else { return }
        // cache lookup: not configured yet, so every response says `bypass`.
        if let decision { beginAttempts(decision) }
    }

    // MARK: Phase: inspect

    private static let inspectedKeys: [[UInt8]] = [Array("model".utf8), Array("stream".utf8),
                                                   Array("max_tokens".utf8), Array("max_completion_tokens".utf8)]

    /// Reads `model` and `stream` from a JSON body without re-encoding it.
    private func inspect() -> Bool {
        guard !body.isEmpty else { return true }
        switch JSONFieldScanner.scanTopLevel(body, keys: Self.inspectedKeys) {
        case .success(let ranges):
            if let range = ranges[0] {
                guard let model = JSONFieldScanner.decodeString(body, at: range) else {
                    fail(400, "invalid_model", "model must be a string")
                    return false
                }
                clientModel = model
                modelRange = range
            }
            if let range = ranges[1] { streamRequested = JSONFieldScanner.decodeBool(body, at: range) ?? false }
            clientSetMaxTokens = ranges[2] != nil || ranges[3] != nil
            return true
        case .failure(let error):
            fail(400, "invalid_json", "the request body is not valid JSON: \(error)")
            return false
        }
    }

    // MARK: Phase: route

    private func route() -> Bool {
        guard var decision = snapshot.routes.route(path: head.path, model: clientModel, headers: head.headers,
                                                   random: context.random()) else {
            fail(404, "no_route", clientModel.map { "no route matches model \"\($0)\" on \(head.path)" }
                 ?? "no route matches \(head.path)")
            return false
        }
        if snapshot.adjustsRouting {
            // Around ejected backends, and with shifted weights for slow ones.
            let now = context.loop.clock.now()
            let states = snapshot.backendStates
            decision = snapshot.routes.adjust(decision, model: clientModel, headers: head.headers, random: context.random(),
                                              weightPercent: { states[$0].weightPercent(at: now) },
                                              available: { states[$0].isAvailable(at: now) })
        }
        self.decision = decision
        let backend = snapshot.backends[decision.backendIndex]
        upstreamModel = decision.upstreamModel ?? clientModel.map { backend.models[$0] ?? $0 }
        return true
    }

    // MARK: Phase: logging

    /// Writes the access log line once, whatever path the request took.
    func logging() {
        guard !logged else { return }
        logged = true
        let now = context.loop.clock.now()
        context.recordRequest(snapshot: snapshot, decision: decision, model: clientModel, status: status,
                              duration: now.duration(since: started), firstByte: firstByteAt.map { $0.duration(since: started) })
        context.dataPlane.accessLog.write(self)
    }

    // MARK: Local answers

    /// Answers locally with an OpenAI-shaped error, then logs.
    func fail(_ status: Int, _ code: String, _ message: String, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        errorCode = code
        if !response.headSent {
            var headers = extraHeaders
            headers.append(name: "x-request-id", value: requestID)
            if let decision { appendRouteHeaders(to: &headers, decision) }
            response.respondWithError(status: status, code: code, message: message, headers: headers)
        }
        logging()
    }

    func appendRouteHeaders(to headers: inout HTTPHeaders, _ decision: RouteDecision) {
        headers.append(name: "x-sluice-route", value: decision.routeName)
        headers.append(name: "x-sluice-backend", value: plan?.current.backendName ?? decision.backendName)
        if let upstreamModel { headers.appendReflected(name: "x-sluice-model", value: upstreamModel) }
        headers.append(name: "x-sluice-cache", value: "bypass")
        headers.append(name: "x-sluice-attempts", value: String(attempts))
    }

    func connectionClosed() {
        transfer?.cancel()
        transfer = nil
        retryTimer?.cancel()
        leaveQueue()
        releaseSlot()
        if status == 0 { status = 499 }  // nginx's convention: the client closed first
        errorCode = errorCode ?? "client_closed"
        logging()
    }
}
