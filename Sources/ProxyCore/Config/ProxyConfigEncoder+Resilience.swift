/// The JSON of the resilience fields: every field of an object that is set is written out, so
/// the document states exactly what the sidecar does.
extension ProxyConfigEncoder {
    static func json(_ retry: RetryConfig) -> JSONValue {
        .object(JSONObject([
            ("attempts", .number(JSONNumber(retry.attempts))),
            ("backoff", .object(JSONObject([("base", .string(retry.backoff.base.configString)),
                                            ("max", .string(retry.backoff.max.configString))]))),
            ("honorRetryAfter", .bool(retry.honorRetryAfter)),
            ("budgetPercent", .number(JSONNumber(retry.budgetPercent))),
        ]))
    }

    static func json(_ triggers: FallbackTriggers) -> JSONValue {
        .object(JSONObject([
            ("statuses", .array(triggers.statuses.map(\.jsonValue))),
            ("connectFailure", .bool(triggers.connectFailure)),
            ("timeout", .bool(triggers.timeout)),
            ("truncation", .bool(triggers.truncation)),
        ]))
    }

    static func addResilience(of route: RouteConfig, to object: inout JSONObject) {
        if let fallback = route.fallback {
            var fallbackObject = JSONObject([("chain", .array(fallback.chain.map { entry in
                var entryObject = JSONObject([("backend", .string(entry.backend))])
                if let model = entry.model { entryObject["model"] = .string(model) }
                return .object(entryObject)
            }))])
            if let on = fallback.on { fallbackObject["on"] = json(on) }
            object["fallback"] = .object(fallbackObject)
        }
        if let retry = route.retry { object["retry"] = json(retry) }
        if let deadline = route.deadline { object["deadline"] = .string(deadline.configString) }
        if let maxAttempts = route.maxAttempts { object["maxAttempts"] = .number(JSONNumber(maxAttempts)) }
        if let truncation = route.truncation {
            object["truncation"] = .object(JSONObject([("bufferStreams", .string(truncation.bufferStreams.configString)),
                                                       ("bufferBytes", .number(JSONNumber(truncation.bufferBytes)))]))
        }
        if let cache = route.cache { object["cache"] = json(cache) }
    }

    static func addPolicies(of backend: BackendConfig, to object: inout JSONObject) {
        if backend.queue != .none {
            object["queue"] = .object(JSONObject([("size", .number(JSONNumber(backend.queue.size))),
                                                  ("maxWait", .string(backend.queue.maxWait.configString))]))
        }
        if let breaker = backend.circuitBreaker {
            object["circuitBreaker"] = .object(JSONObject([
                ("consecutiveFailures", .number(JSONNumber(breaker.consecutiveFailures))),
                ("errorRatePercent", .number(JSONNumber(breaker.errorRatePercent))),
                ("minRequests", .number(JSONNumber(breaker.minRequests))),
                ("window", .string(breaker.window.configString)),
                ("cooldown", .string(breaker.cooldown.configString)),
                ("maxCooldown", .string(breaker.maxCooldown.configString)),
            ]))
        }
        if let shift = backend.latencyShift {
            object["latencyShift"] = .object(JSONObject([
                ("p95Above", .string(shift.p95Above.configString)),
                ("window", .string(shift.window.configString)),
                ("weightPercent", .number(JSONNumber(shift.weightPercent))),
                ("cooldown", .string(shift.cooldown.configString)),
            ]))
        }
        if let warmup = backend.warmup {
            var warmupObject = JSONObject([("idleAfter", .string(warmup.idleAfter.configString)),
                                           ("interval", .string(warmup.interval.configString))])
            switch warmup.request {
            case .chat(let model, let prompt, let maxTokens):
                warmupObject["chat"] = .object(JSONObject([("model", .string(model)), ("prompt", .string(prompt)),
                                                           ("maxTokens", .number(JSONNumber(maxTokens)))]))
            case .get(let path):
                warmupObject["get"] = .string(path)
            }
            object["warmup"] = .object(warmupObject)
        }
        if let contextWindow = backend.contextWindow { object["contextWindow"] = .number(JSONNumber(contextWindow)) }
        if let maxTokens = backend.defaultMaxTokens { object["defaultMaxTokens"] = .number(JSONNumber(maxTokens)) }
        if let azure = backend.azure {
            var azureObject = JSONObject([("apiVersion", .string(azure.apiVersion))])
            if !azure.deployments.isEmpty {
                azureObject["deployments"] = .object(JSONObject(azure.deployments.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
            }
            object["azure"] = .object(azureObject)
        }
        if !backend.prices.isEmpty {
            object["prices"] = .object(JSONObject(backend.prices.sorted { $0.key < $1.key }.map { model, price in
                var priceObject = JSONObject([("input", number(price.input)), ("output", number(price.output))])
                if let cached = price.cachedInput { priceObject["cachedInput"] = number(cached) }
                if let cacheWrite = price.cacheWriteInput { priceObject["cacheWriteInput"] = number(cacheWrite) }
                priceObject["currency"] = .string(price.currency)
                return (model, .object(priceObject))
            }))
        }
    }

    /// A price (or a score) as the shortest literal that reads back to the same `Double`.
    static func number(_ value: Double) -> JSONValue {
        .number(JSONNumber(literal: "\(value)"))
    }
}
