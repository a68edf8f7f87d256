/// The resilience parts of routes and defaults: `fallback`, `retry`, `deadline`,
/// `maxAttempts`, `truncation`, `defaults.fallbackOn`.
extension ProxyConfigDecoding {
    static let retryKeys = ["attempts", "backoff", "honorRetryAfter", "budgetPercent"]
    static let triggerKeys = ["statuses", "connectFailure", "timeout", "truncation"]

    /// `fallback`: a non-empty chain of existing backends without repeats, and optional triggers.
    /// `split` is the route's decoded split (nil when it had problems), for the repeat check.
    mutating func decodeFallback(_ value: JSONValue, at path: String, backendNames: [String],
                                 split: [SplitEntryConfig]?) -> FallbackConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["chain", "on"], issues: &issues) else { return nil }
        let before = issues.count
        var chain: [FallbackEntryConfig] = []
        let chainPath = object.path("chain")
        if let list = requiredArray(object["chain"], at: chainPath, nonEmpty: "expected at least one fallback entry") {
            for (index, element) in list.enumerated() {
                let entryPath = JSONPath.element(chainPath, index)
                guard let entry = ConfigObjectReader(element, at: entryPath, allowed: ["backend", "model"], issues: &issues) else { continue }
                let backend = string(entry["backend"], at: entry.path("backend"), required: true)
                if let backend { checkBackendExists(backend, at: entry.path("backend"), backendNames: backendNames) }
                let model = string(entry["model"], at: entry.path("model"), required: false)
                guard let backend else { continue }
                let candidate = FallbackEntryConfig(backend: backend, model: model)
                if let earlier = chain.firstIndex(of: candidate) {
                    report(entryPath, "repeats \(JSONPath.element(chainPath, earlier)): same backend and model")
                } else if let split, split.filter({ $0.weight > 0 }).count == 1,
                          let only = split.first(where: { $0.weight > 0 }), only.backend == backend, only.model == model {
                    report(entryPath, "is the route's only split entry (backend \(ConfigIssue.quoted(backend)), same model); to try it again, use retry.attempts")
                }
                chain.append(candidate)
            }
        }
        let on = object["on"].flatMap { decodeTriggers($0, at: object.path("on")) }
        guard issues.count == before else { return nil }
        return FallbackConfig(chain: chain, on: on)
    }

    /// `fallback.on` or `defaults.fallbackOn`: omitted fields take `FallbackTriggers.default`'s values.
    mutating func decodeTriggers(_ value: JSONValue, at path: String) -> FallbackTriggers? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.triggerKeys, issues: &issues) else { return nil }
        let before = issues.count
        let defaults = FallbackTriggers.default
        var statuses = defaults.statuses
        if let value = object["statuses"] {
            let listPath = object.path("statuses")
            if case .array(let elements) = value {
                statuses = []
                for (index, element) in elements.enumerated() {
                    if let status = statusMatch(element, at: JSONPath.element(listPath, index)) { statuses.append(status) }
                }
            } else {
                report(listPath, "expected an array, found \(ConfigIssue.found(value))")
            }
        }
        let triggers = FallbackTriggers(
            statuses: statuses,
            connectFailure: bool(object["connectFailure"], at: object.path("connectFailure")) ?? defaults.connectFailure,
            timeout: bool(object["timeout"], at: object.path("timeout")) ?? defaults.timeout,
            truncation: bool(object["truncation"], at: object.path("truncation")) ?? defaults.truncation)
        return issues.count == before ? triggers : nil
    }

    /// `429` (400 to 599) or `"5xx"` / `"4xx"`. Informational and success statuses are refused:
    /// a trigger on them would send every good answer to the fallback.
    private mutating func statusMatch(_ value: JSONValue, at path: String) -> StatusMatch? {
        switch value {
        case .number(let number):
            if let code = number.int, (400...599).contains(code) { return .code(code) }
        case .string("4xx"): return .statusClass(4)
        case .string("5xx"): return .statusClass(5)
        default: break
        }
        report(path, "\(ConfigIssue.found(value)) is not an error status; expected an integer from 400 to 599, \"4xx\" or \"5xx\"")
        return nil
    }

    /// `retry` or `defaults.retry`: omitted fields take `RetryConfig.default`'s values.
    mutating func decodeRetry(_ value: JSONValue, at path: String) -> RetryConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.retryKeys, issues: &issues) else { return nil }
        let before = issues.count
        let defaults = RetryConfig.default
        let attempts = integer(object["attempts"], at: object.path("attempts"), in: 1...RetryConfig.maxAttemptsLimit,
                               expected: "a positive integer", required: false) ?? defaults.attempts
        var backoff = defaults.backoff
        if let value = object["backoff"],
           let backoffObject = ConfigObjectReader(value, at: object.path("backoff"), allowed: ["base", "max"], issues: &issues) {
            let base = duration(backoffObject["base"], at: backoffObject.path("base")) ?? defaults.backoff.base
            let max = duration(backoffObject["max"], at: backoffObject.path("max")) ?? defaults.backoff.max
            if base > max {
                report(backoffObject.path, "base \(ConfigIssue.quoted(base.configString)) is longer than max \(ConfigIssue.quoted(max.configString))")
            }
            backoff = BackoffConfig(base: base, max: max)
        }
        let honor = bool(object["honorRetryAfter"], at: object.path("honorRetryAfter")) ?? defaults.honorRetryAfter
        let budget = integer(object["budgetPercent"], at: object.path("budgetPercent"), in: 0...100,
                             expected: "a non-negative integer", required: false) ?? defaults.budgetPercent
        guard issues.count == before else { return nil }
        return RetryConfig(attempts: attempts, backoff: backoff, honorRetryAfter: honor, budgetPercent: budget)
    }

    /// `maxAttempts` of a route or of `defaults`.
    mutating func decodeMaxAttempts(_ value: JSONValue?, at path: String) -> Int? {
        integer(value, at: path, in: 1...DefaultsConfig.maxAttemptsLimit, expected: "a positive integer", required: false)
    }

    /// `truncation`: buffering only makes sense when truncation can fall back.
    mutating func decodeTruncation(_ value: JSONValue, at path: String, fallback: FallbackConfig?,
                                   defaultTriggers: FallbackTriggers) -> TruncationConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["bufferStreams", "bufferBytes"], issues: &issues)
        else { return nil }
        let before = issues.count
        let streams = nonNegativeDuration(object["bufferStreams"], at: object.path("bufferStreams")) ?? .zero
        let bytes = integer(object["bufferBytes"], at: object.path("bufferBytes"), in: 0...TruncationConfig.maxBufferBytes,
                            expected: "a non-negative integer", required: false) ?? TruncationConfig.defaultBufferBytes
        guard issues.count == before else { return nil }
        if fallback == nil || !(fallback?.on ?? defaultTriggers).truncation {
            report(path, "has no effect without a fallback chain and fallback.on.truncation: true")
            return nil
        }
        return TruncationConfig(bufferStreams: streams, bufferBytes: bytes)
    }

    /// A duration that may be zero (`"0s"`, `"0ms"`).
    mutating func nonNegativeDuration(_ value: JSONValue?, at path: String) -> ProxyDuration? {
        guard let value else { return nil }
        guard case .string(let text) = value, let duration = ProxyDuration(parsing: text) else {
            report(path, "\(ConfigIssue.found(value)) is not a duration; \(Self.durationExample)")
            return nil
        }
        return duration
    }

    /// Reports `backend` unless it names a defined backend.
    mutating func checkBackendExists(_ backend: String, at path: String, backendNames: [String]) {
        guard !backendNames.contains(backend) else { return }
        let known = backendNames.map(ConfigIssue.quoted).joined(separator: ", ")
        report(path, "unknown backend \(ConfigIssue.quoted(backend))" + (known.isEmpty ? "" : "; defined backends are \(known)"))
    }
}
