import ProxyCore
import Synchronization

/// What the mock received and produced, shared by its loops, served at `GET /__mock/stats`
/// so tests can assert on what reached the "provider".
final class MockStats: Sendable {
    struct LastRequest {
        var method = ""
        var path = ""
        /// The request target exactly as it arrived (before the mock's parser normalised its path).
        var target = ""
        var headers = HTTPHeaders()
        var body: [UInt8] = []
    }

    struct State {
        var requests = 0
        var byPath: [String: Int] = [:]
        var byModel: [String: Int] = [:]
        var byStatus: [Int: Int] = [:]
        var promptTokens = 0
        var completionTokens = 0
        var reasoningTokens = 0
        var streamsStarted = 0
        var streamsCompleted = 0
        var streamsAborted = 0
        var last = LastRequest()
        /// Per model: requests seen (for `fail-first`) and when the last one arrived (for cold starts).
        var sequenceByModel: [String: Int] = [:]
        var lastSeenByModel: [String: ProxyInstant] = [:]
    }

    private let state = Mutex(State())

    /// Records an arriving request; returns its 1-based sequence number for `model`
    /// and how long the model had been idle (nil for its first request).
    func recordRequest(method: String, path: String, target: String, model: String?, headers: HTTPHeaders, body: [UInt8],
                       now: ProxyInstant) -> (sequence: Int, idle: ProxyDuration?) {
        state.withLock { state in
            state.requests += 1
            state.byPath[path, default: 0] += 1
            state.last = LastRequest(method: method, path: path, target: target, headers: headers, body: body)
            guard let model else { return (0, nil) }
            state.byModel[model, default: 0] += 1
            state.sequenceByModel[model, default: 0] += 1
            let idle = state.lastSeenByModel[model].map { now.duration(since: $0) }
            state.lastSeenByModel[model] = now
            return (state.sequenceByModel[model]!, idle)
        }
    }

    /// Records a control request (`/__mock/*`, `/healthz`) without touching the traffic counters.
    func recordStatus(_ status: Int) { state.withLock { $0.byStatus[status, default: 0] += 1 } }

    func recordTokens(prompt: Int, completion: Int, reasoning: Int) {
        state.withLock {
            $0.promptTokens += prompt
            $0.completionTokens += completion
            $0.reasoningTokens += reasoning
        }
    }

    func streamStarted() { state.withLock { $0.streamsStarted += 1 } }
    func streamCompleted() { state.withLock { $0.streamsCompleted += 1 } }
    func streamAborted() { state.withLock { $0.streamsAborted += 1 } }

    func reset() { state.withLock { $0 = State() } }

    /// The stats as JSON (keys sorted, so tests and humans read them the same way).
    func json() -> [UInt8] {
        let s = state.withLock { $0 }
        func counts<K>(_ dictionary: [K: Int], key: (K) -> String) -> JSONValue {
            .object(JSONObject(dictionary.map { (key($0.key), JSONValue.number(JSONNumber($0.value))) }))
        }
        let last = JSONObject([
            ("method", .string(s.last.method)),
            ("path", .string(s.last.path)),
            ("target", .string(s.last.target)),
            ("headers", .object(JSONObject(s.last.headers.map { ($0.name.lowercased(), JSONValue.string($0.value)) }))),
            ("body", .string(String(decoding: s.last.body, as: UTF8.self))),
        ])
        let root = JSONObject([
            ("requests_total", .number(JSONNumber(s.requests))),
            ("by_path", counts(s.byPath) { $0 }),
            ("by_model", counts(s.byModel) { $0 }),
            ("by_status", counts(s.byStatus) { String($0) }),
            ("prompt_tokens_total", .number(JSONNumber(s.promptTokens))),
            ("completion_tokens_total", .number(JSONNumber(s.completionTokens))),
            ("reasoning_tokens_total", .number(JSONNumber(s.reasoningTokens))),
            ("streams_started", .number(JSONNumber(s.streamsStarted))),
            ("streams_completed", .number(JSONNumber(s.streamsCompleted))),
            ("streams_aborted", .number(JSONNumber(s.streamsAborted))),
            ("last_request", .object(last)),
        ])
        return JSONWriter.write(.object(root), options: [.canonical])
    }
}
