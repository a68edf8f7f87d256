import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// One request to the mock: collects the body, then answers by path the way the
/// provider it imitates would, faults included.
///
/// Loop-confined, like every `HTTPExchange`.
final class MockExchange: HTTPExchange {
    static let maxBodyBytes = 16 << 20
    /// Built once: the health check is the mock's hottest answer (the benchmark's small JSON).
    private static let healthyBody = Array(#"{"status":"ok"}"#.utf8)
    private static let jsonHeaders: HTTPHeaders = ["content-type": "application/json"]

    private let head: HTTPRequestHead
    private let response: HTTPResponseWriter
    private let context: MockContext
    private let loop: EventLoop
    private var body: [UInt8] = []
    private var pending: LoopTimer?
    private var streamer: MockStreamer?

    init(head: HTTPRequestHead, response: HTTPResponseWriter, context: MockContext, loop: EventLoop) {
        self.head = head
        self.response = response
        self.context = context
        self.loop = loop
    }

    func requestBodyPart(_ bytes: UnsafeRawBufferPointer) {
        if body.count + bytes.count <= Self.maxBodyBytes { body.append(contentsOf: bytes) }
    }

    func requestEnded(trailers: HTTPHeaders) {
        let path = head.path
        switch (head.method, path) {
        case (.get, "/healthz"):
            respond(200, Self.healthyBody)
        case (.get, "/__mock/stats"):
            respond(200, context.stats.json())
        case (.post, "/__mock/reset"):
            context.stats.reset()
            respond(200, Array("{}".utf8))
        case (.get, _) where path.hasSuffix("/models"):
            _ = context.stats.recordRequest(method: "GET", path: "/v1/models", target: head.target, model: nil, headers: head.headers, body: [], now: loop.clock.now())
            respond(200, modelList())
        case (.post, _) where path.hasSuffix("/chat/completions"):
            complete(.chat)
        case (.post, _) where path.hasSuffix("/completions"):
            complete(.completions)
        case (.post, _) where path.hasSuffix("/messages"):
            complete(.anthropic)
        case (.post, _) where path.hasSuffix("/embeddings"):
            complete(nil)
        default:
            // Counted too, so a test can tell that a request reached the provider at a path it should never see.
            _ = context.stats.recordRequest(method: head.method.rawValue, path: String(path), target: head.target, model: nil,
                                            headers: head.headers, body: body, now: loop.clock.now())
            respond(404, MockProviderError.body(status: 404, anthropic: false, message: "no such endpoint: \(head.method.rawValue) \(path)"))
        }
    }

    func responseWritable() { streamer?.resume() }

    func connectionClosed() {
        pending?.cancel()
        streamer?.clientGone()
    }

    // MARK: Completions

    /// `flavor` nil answers an embeddings request.
    private func complete(_ flavor: MockCompletion.Flavor?) {
        let anthropic = flavor == .anthropic
        guard body.count <= Self.maxBodyBytes else {
            return respond(413, MockProviderError.body(status: 413, anthropic: anthropic, message: "request body too large"))
        }
        let request: MockRequest
        switch MockRequest.parse(body) {
        case .success(let parsed): request = parsed
        case .failure(let error): return respond(400, MockProviderError.body(status: 400, anthropic: anthropic, message: error.description))
        }
        guard let model = request.model else {
            return respond(400, MockProviderError.body(status: 400, anthropic: anthropic, message: "you must provide a model parameter"))
        }
        var behavior = context.models.behavior(for: model)
        for (name, value) in head.headers where Self.isMockHeader(name) {
            if let problem = behavior.apply(String(name.lowercased().dropFirst(7)), value) {
                return respond(400, MockProviderError.body(status: 400, anthropic: anthropic, message: "\(name): \(problem)"))
            }
        }
        let now = loop.clock.now()
        let (sequence, idle) = context.stats.recordRequest(method: "POST", path: Self.endpoint(flavor), target: head.target, model: model,
                                                           headers: head.headers, body: body, now: now)
        if let key = behavior.requiredKey, !carriesKey(key) {
            return respond(401, MockProviderError.body(status: 401, anthropic: anthropic, message: "Incorrect API key provided"))
        }
        if let status = behavior.status ?? (sequence <= behavior.failFirst ? 503 : nil),
           behavior.failFirst == 0 || sequence <= behavior.failFirst {
            return after(behavior.latency) { [self] in
                context.stats.recordStatus(status)
                response.respond(status: status, headers: MockProviderError.headers(status: status, behavior: behavior),
                                 body: MockProviderError.body(status: status, anthropic: anthropic, message: "mock failure \(status)"))
            }
        }
        if behavior.reset == .before {
            return after(behavior.latency) { [self] in response.resetConnection() }
        }
        var delay = request.stream ? behavior.timeToFirstToken : behavior.latency
        if let threshold = behavior.idleBeforeColdStart, idle.map({ $0 >= threshold }) ?? true {
            delay = ProxyDuration(nanoseconds: delay.nanoseconds &+ behavior.coldStart.nanoseconds)
        }
        guard let flavor else {
            let embeddings = MockEmbeddings.body(model: model, inputs: request.inputs, promptTokens: request.promptTokens)
            return after(delay) { [self] in
                context.stats.recordTokens(prompt: request.promptTokens, completion: 0, reasoning: 0)
                respond(200, embeddings)
            }
        }
        let completion = MockCompletion(flavor: flavor, id: identifier(flavor), created: context.created, model: model,
                                        behavior: behavior, request: request)
        if request.stream {
            let streamer = MockStreamer(completion: completion, includeUsage: request.includeUsage || flavor == .anthropic,
                                        behavior: behavior, response: response, loop: loop, stats: context.stats)
            self.streamer = streamer
            streamer.start(after: delay)
        } else {
            after(delay) { [self] in
                context.stats.recordTokens(prompt: completion.promptTokens, completion: completion.completionTokens,
                                           reasoning: completion.reasoningTokens)
                respond(200, completion.body())
            }
        }
    }

    /// `x-mock-…`, compared on bytes so ordinary headers cost no String work.
    private static func isMockHeader(_ name: String) -> Bool {
        var bytes = name.utf8.makeIterator()
        for expected in "x-mock-".utf8 {
            guard let byte = bytes.next(), byte | 0x20 == expected | 0x20 else { return false }
        }
        return bytes.next() != nil
    }

    /// The endpoint a request is counted under in the stats.
    private static func endpoint(_ flavor: MockCompletion.Flavor?) -> String {
        switch flavor {
        case .chat: "/v1/chat/completions"
        case .completions: "/v1/completions"
        case .anthropic: "/v1/messages"
        case nil: "/v1/embeddings"
        }
    }

    private func carriesKey(_ key: String) -> Bool {
        head.headers.first("authorization") == "Bearer \(key)"
            || head.headers.first("api-key") == key || head.headers.first("x-api-key") == key
    }

    /// A stable id for equal bodies, so a body through the proxy equals one fetched directly.
    private func identifier(_ flavor: MockCompletion.Flavor) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = String(hash, radix: 16)
        switch flavor {
        case .chat: return "chatcmpl-mock\(hex)"
        case .completions: return "cmpl-mock\(hex)"
        case .anthropic: return "msg_mock\(hex)"
        }
    }

    private func modelList() -> [UInt8] {
        var out: [UInt8] = Array(#"{"object":"list","data":["#.utf8)
        for (index, name) in context.models.names.enumerated() {
            if index > 0 { out += ",".utf8 }
            out += #"{"id":"#.utf8
            JSONWriter.appendString(name, to: &out)
            out += #","object":"model","created":\#(context.created),"owned_by":"sluice-mock"}"#.utf8
        }
        out += "]}".utf8
        return out
    }

    // MARK: Helpers

    private func after(_ delay: ProxyDuration, _ action: @escaping () -> Void) {
        if delay == .zero {
            action()
        } else {
            pending = loop.schedule(after: delay, action)
        }
    }

    private func respond(_ status: Int, _ body: [UInt8]) {
        context.stats.recordStatus(status)
        response.respond(status: status, headers: Self.jsonHeaders, body: body)
    }
}
