/// What the cache needs from a request body, read in one walk (`CanonicalJSON`): whether the
/// route's rules let it be cached, its canonical form for the key, and whether a streamed answer
/// should carry the usage chunk (`stream_options.include_usage`).
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
        body.withUnsafeBytes { check(body: $0, config: config) }
    }

    private static func check(body: UnsafeRawBufferPointer, config: RouteCacheConfig) -> Result<CacheableRequest, Refusal> {
        let omitted = [Array("stream".utf8), Array("stream_options".utf8)] + config.ignoreFields.map { Array($0.utf8) }
        guard let canonical = CanonicalJSON.canonicalize(body, omitting: omitted) else { return .failure(.notJSON) }
        // The first member of a name wins, as for every other reader of the body.
        func value(_ name: String) -> Range<Int>? { canonical.members.first { $0.key.elementsEqual(name.utf8) }?.range }
        func kind(_ name: String) -> JSONValueKind? { value(name).flatMap { JSONFieldScanner.valueKind(body, at: $0) } }
        func number(_ name: String) -> Double? {
            guard let range = value(name), JSONFieldScanner.valueKind(body, at: range) == .number else { return nil }
            return Double(String(decoding: UnsafeRawBufferPointer(rebasing: body[range]), as: UTF8.self))
        }
        if config.mode == .deterministic {
            let seeded = kind("seed").map { $0 != .null } ?? false
            guard number("temperature") == 0 || seeded else { return .failure(.notDeterministic) }
        }
        if !config.allowMultipleChoices, let n = number("n"), n > 1 { return .failure(.multipleChoices) }
        if !config.allowLogprobs {
            let logprobs = value("logprobs").map { JSONFieldScanner.decodeBool(body, at: $0) == true || kind("logprobs") == .number } ?? false
            if logprobs || kind("top_logprobs").map({ $0 != .null }) == true { return .failure(.logprobs) }
        }
        var includeUsage = false
        if let range = value("stream_options"), JSONFieldScanner.valueKind(body, at: range) == .object {
            let options = UnsafeRawBufferPointer(rebasing: body[range])
            if case .success(let fields) = JSONFieldScanner.scanTopLevel(options, keys: [Array("include_usage".utf8)]), let flag = fields[0] {
                includeUsage = JSONFieldScanner.decodeBool(options, at: flag) == true
            }
        }
        return .success(CacheableRequest(canonicalBody: canonical.bytes, includeUsage: includeUsage))
    }

    package init(canonicalBody: [UInt8], includeUsage: Bool) {
        self.canonicalBody = canonicalBody
        self.includeUsage = includeUsage
    }
}
