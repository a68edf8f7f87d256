import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// The admin listener (127.0.0.1 only, enforced by config validation):
/// `GET /config`, `POST /explain`, `GET /ready`, and the consumers' usage (`AdminEndpoints+Consumers.swift`).
extension DataPlane {
    package func makeAdminHandler(_ loop: EventLoop) -> any HTTPRequestHandler {
        BufferedRequestHandler { [self] head, body, response in
            switch (head.method, head.path) {
            case (.get, "/config"):
                response.respondJSON(200, configDocument())
            case (.post, "/explain"):
                explain(head: head, body: body, response: response)
            case (.get, "/ready"):
                response.respondJSON(isReady ? 200 : 503, .object(JSONObject([("ready", .bool(isReady))])))
            default:
                if consumerUsage(method: head.method, path: head.path[...], body: body, response: response) { return }
                response.respondWithError(status: 404, code: "not_found",
                                          message: "admin endpoints: GET /config, POST /explain, GET /ready, GET /consumers, GET /consumers/<name>/usage, POST /consumers/<name>/usage/reset, POST /consumers/<name>/usage/adjust")
            }
        }
    }

    /// The active config (it holds file references, never secret values), its hash, when it
    /// was loaded, and the last reload error if the newest file on disk was rejected.
    func configDocument() -> JSONValue {
        let state = reloadState
        let snapshot = state.current
        var document = JSONObject([
            ("hash", .string(snapshot.loaded.hashHex)),
            ("loadedAt", .number(JSONNumber(Int(snapshot.loadedAt)))),
            ("reloads", .object(JSONObject([
                ("succeeded", .number(JSONNumber(state.succeeded))),
                ("failed", .number(JSONNumber(state.failed))),
                ("unchanged", .number(JSONNumber(state.unchanged))),
            ]))),
        ])
        document["lastError"] = state.lastError.map { .string($0) } ?? .null
        document["restartRequired"] = state.restartRequired.map { .string($0) } ?? .null
        document["config"] = snapshot.config.jsonValue
        return .object(document)
    }

    /// A uniformly distributed number from a clock reading: a raw nanosecond count is tiny
    /// next to 2^64 and would always pick a weighted route's first entry.
    static func uniform(from nanoseconds: UInt64) -> UInt64 {
        StickyHash.finalize(nanoseconds)
    }

    /// Which route, split entry and upstream model a request would take, and why.
    /// The request body is the body that would be sent; the explain request's own headers
    /// are matched; `?path=` sets the path (default `/v1/chat/completions`); `?consumer=NAME`
    /// explains the request as that consumer's (its priority class, its quota use for `auto`
    /// models' `overBudget`), else as an anonymous one.
    private func explain(head: HTTPRequestHead, body: [UInt8], response: HTTPResponseWriter) {
        var model: String?
        if !body.isEmpty {
            switch JSONFieldScanner.scanTopLevel(body, keys: [Array("model".utf8)]) {
            case .success(let ranges):
                model = ranges[0].flatMap { JSONFieldScanner.decodeString(body, at: $0) }
            case .failure(let error):
                return response.respondWithError(status: 400, code: "invalid_json", message: "the body is not valid JSON: \(error)")
            }
        }
        var path = "/v1/chat/completions"
        var consumerName: String?
        if let query = head.query {
            for pair in query.split(separator: "&") {
                let name = pair.prefix { $0 != "=" }
                guard name == "path" || name == "consumer" else { continue }
                guard let value = QueryValue.decode(pair.dropFirst(name.count + 1)) else {
                    return response.respondWithError(status: 400, code: "invalid_query",
                                                     message: "the query's \(name) is not valid percent-encoded UTF-8")
                }
                if name == "path" { path = value } else { consumerName = value }
            }
        }
        // Normalised as a request's path is, so the answer is the one the request would get.
        if path.hasPrefix("/") {
            switch RequestPath.normalize(path[...]) {
            case .success(.unchanged): break
            case .success(.rewritten(let normal)): path = normal
            case .failure(let problem): return response.respondWithError(status: 400, code: "invalid_path", message: problem.description)
            }
        }
        let snapshot = current
        var consumer: Int?
        if let consumerName {
            consumer = snapshot.consumers.consumers.firstIndex { $0.name == consumerName }
            if consumer == nil {
                return response.respondWithError(status: 400, code: "unknown_consumer", message: "no consumer is named \(ConfigIssue.quoted(consumerName))")
            }
        }
        let explanation = snapshot.routes.explain(path: path, model: model, headers: head.headers, random: Self.uniform(from: clock.now().nanoseconds))
        var document = JSONObject([
            ("path", .string(path)),
            ("model", model.map { .string($0) } ?? .null),
            ("matched", .bool(explanation.decision != nil)),
            ("reasons", .array(explanation.lines.map { .string($0) })),
        ])
        if var decision = explanation.decision {
            if let priorities = snapshot.priorities {
                let ceiling = snapshot.consumers.limits(of: consumer)?.priority
                document["priority"] = priorities.level(of: head.headers, ceiling: ceiling).map { .string(priorities.levels[$0]) } ?? .null
            }
            if let auto = explainAuto(decision, snapshot: snapshot, model: model, body: body, headers: head.headers, consumer: consumer) {
                document["auto"] = auto.document
                decision = auto.decision ?? decision
            }
            let backend = snapshot.backends[decision.backendIndex]
            let upstreamModel = decision.upstreamModel ?? model.map { backend.models[$0] ?? $0 }
            document["route"] = .string(decision.routeName)
            document["splitEntry"] = .number(JSONNumber(decision.splitIndex))
            document["backend"] = .string(decision.backendName)
            document["upstreamModel"] = upstreamModel.map { .string($0) } ?? .null
            document["upstreamURL"] = .string(backend.url(path: path[...], query: nil))
            document["selection"] = .string("\(decision.selection)")
        }
        response.respondJSON(explanation.decision == nil ? 404 : 200, .object(document))
    }
}
