/// What the cache needs from a request body, read in one parse: whether the route's rules let
/// it be cached, its canonical form for the key, and whether a streamed answer should carry
/// the usage chunk (`stream_options.include_usage`).
///
/// Pure; call from any thread. Runs only on routes with a cache.
package struct CacheableRequest: Hashable, Sendable {
    /// The body in canonical form without `stream`, `stream_options` and the route's ignored fields.
    package let canonicalBody: [UInt8]
    /// The client asked for the usage chunk of a stream.
    package let includeUsage: Bool

    /// Why a request is not looked up nor stored.
    package enum Refusal: String, Error, Hashable, Sendable {
        /// The body is not a JSON object.
        case notJSON = "not_json"
        /// `deterministic` mode, and the request has neither `temperature` 0 nor a `seed`.
        case notDeterministic = "not_deterministic"
        /// `n` > 1 and the route does not allow several choices.
        case multipleChoices = "multiple_choices"
        /// Log probabilities asked for and the route does not allow them.
        case logprobs
    }

    /// The body's verdict under `config`.
    package static func check(body: [UInt8], config: RouteCacheConfig) -> Result<CacheableRequest, Refusal> {
        guard let value = try? JSONParser.parse(body), case .object(var object) = value else { return .failure(.notJSON) }
        if config.mode == .deterministic, !isDeterministic(object) { return .failure(.notDeterministic) }
        if !config.allowMultipleChoices, let n = object["n"], case .number(let number) = n, (number.double ?? 1) > 1 {
            return .failure(.multipleChoices)
        }
        if !config.allowLogprobs, asksForLogprobs(object) { return .failure(.logprobs) }
        var includeUsage = false
        if case .object(let options)? = object["stream_options"], options["include_usage"] == .bool(true) { includeUsage = true }
        let ignored = Set(["stream", "stream_options"] + config.ignoreFields)
        object.members.removeAll { ignored.contains($0.key) }
        return .success(CacheableRequest(canonicalBody: CanonicalJSON.bytes(of: .object(object)), includeUsage: includeUsage))
    }

    package init(canonicalBody: [UInt8], includeUsage: Bool) {
        self.canonicalBody = canonicalBody
        self.includeUsage = includeUsage
    }

    /// `temperature` 0, or a non-null `seed`.
    private static func isDeterministic(_ object: JSONObject) -> Bool {
        if case .number(let temperature)? = object["temperature"], temperature.double == 0 { return true }
        if let seed = object["seed"], seed != .null { return true }
        return false
    }

    /// Chat's `logprobs: true` or `top_logprobs`, the completions API's numeric `logprobs`.
    private static func asksForLogprobs(_ object: JSONObject) -> Bool {
        switch object["logprobs"] {
        case .bool(true)?, .number?: return true
        default: break
        }
        if let top = object["top_logprobs"], top != .null { return true }
        return false
    }
}
