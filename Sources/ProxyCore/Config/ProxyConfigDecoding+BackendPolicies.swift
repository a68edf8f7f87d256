/// The per-backend policies: `queue`, `circuitBreaker`, `latencyShift`, `warmup`,
/// `contextWindow`, `prices`.
extension ProxyConfigDecoding {
    static let circuitBreakerKeys = ["consecutiveFailures", "errorRatePercent", "minRequests", "window", "cooldown", "maxCooldown"]
    static let latencyShiftKeys = ["p95Above", "window", "weightPercent", "cooldown"]
    static let warmupKeys = ["idleAfter", "interval", "chat", "get"]
    static let priceKeys = ["input", "output", "cachedInput", "cacheWriteInput", "currency"]

    /// `queue`: only with `maxConcurrentRequests`; a queue with room needs a positive `maxWait`.
    mutating func decodeQueue(_ value: JSONValue, at path: String, hasLimit: Bool) -> QueueConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["size", "maxWait"], issues: &issues) else { return nil }
        let before = issues.count
        let size = integer(object["size"], at: object.path("size"), in: 0...QueueConfig.maxSize,
                           expected: "a non-negative integer", required: false) ?? 0
        let maxWait = nonNegativeDuration(object["maxWait"], at: object.path("maxWait")) ?? .zero
        guard issues.count == before else { return nil }
        if !hasLimit {
            report(path, "a queue needs maxConcurrentRequests")
        } else if size > 0 && maxWait == .zero {
            report(object.path("maxWait"), "must be positive when size is more than 0")
        }
        return issues.count == before ? QueueConfig(size: size, maxWait: maxWait) : nil
    }

    mutating func decodeCircuitBreaker(_ value: JSONValue, at path: String) -> CircuitBreakerConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.circuitBreakerKeys, issues: &issues) else { return nil }
        let before = issues.count
        let defaults = CircuitBreakerConfig.default
        let consecutive = integer(object["consecutiveFailures"], at: object.path("consecutiveFailures"), in: 0...1_000_000,
                                  expected: "a non-negative integer", required: false) ?? defaults.consecutiveFailures
        let rate = integer(object["errorRatePercent"], at: object.path("errorRatePercent"), in: 0...100,
                           expected: "a non-negative integer", required: false) ?? defaults.errorRatePercent
        let minRequests = integer(object["minRequests"], at: object.path("minRequests"), in: 1...1_000_000,
                                  expected: "a positive integer", required: false) ?? defaults.minRequests
        let window = duration(object["window"], at: object.path("window")) ?? defaults.window
        let cooldown = duration(object["cooldown"], at: object.path("cooldown")) ?? defaults.cooldown
        let maxCooldown = duration(object["maxCooldown"], at: object.path("maxCooldown")) ?? defaults.maxCooldown
        guard issues.count == before else { return nil }
        if consecutive == 0 && rate == 0 {
            report(path, "consecutiveFailures and errorRatePercent are both 0, so the breaker never opens; remove \"circuitBreaker\" instead")
        }
        if cooldown > maxCooldown {
            report(path, "cooldown \(ConfigIssue.quoted(cooldown.configString)) is longer than maxCooldown \(ConfigIssue.quoted(maxCooldown.configString))")
        }
        guard issues.count == before else { return nil }
        return CircuitBreakerConfig(consecutiveFailures: consecutive, errorRatePercent: rate, minRequests: minRequests,
                                    window: window, cooldown: cooldown, maxCooldown: maxCooldown)
    }

    mutating func decodeLatencyShift(_ value: JSONValue, at path: String) -> LatencyShiftConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.latencyShiftKeys, issues: &issues) else { return nil }
        let before = issues.count
        let threshold = duration(object["p95Above"], at: object.path("p95Above"))
        if !object.has("p95Above") { report(object.path("p95Above"), "required field is missing") }
        let window = duration(object["window"], at: object.path("window")) ?? LatencyShiftConfig.defaultWindow
        let percent = integer(object["weightPercent"], at: object.path("weightPercent"), in: 0...99,
                              expected: "a non-negative integer", required: false) ?? LatencyShiftConfig.defaultWeightPercent
        let cooldown = duration(object["cooldown"], at: object.path("cooldown")) ?? LatencyShiftConfig.defaultCooldown
        guard issues.count == before, let threshold else { return nil }
        return LatencyShiftConfig(p95Above: threshold, window: window, weightPercent: percent, cooldown: cooldown)
    }

    mutating func decodeWarmup(_ value: JSONValue, at path: String) -> WarmupConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.warmupKeys, issues: &issues) else { return nil }
        let before = issues.count
        let idleAfter = duration(object["idleAfter"], at: object.path("idleAfter")) ?? WarmupConfig.defaultIdleAfter
        let interval = duration(object["interval"], at: object.path("interval")) ?? WarmupConfig.defaultInterval
        var request: WarmupRequest? = nil
        switch exactlyOne(of: ["chat", "get"], in: object) {
        case "chat"?:
            let chatPath = object.path("chat")
            if let chat = ConfigObjectReader(object["chat"] ?? .null, at: chatPath, allowed: ["model", "prompt", "maxTokens"], issues: &issues) {
                let model = string(chat["model"], at: chat.path("model"), required: true)
                let prompt = string(chat["prompt"], at: chat.path("prompt"), required: false) ?? WarmupConfig.defaultPrompt
                let maxTokens = integer(chat["maxTokens"], at: chat.path("maxTokens"), in: 1...WarmupConfig.maxTokensLimit,
                                        expected: "a positive integer", required: false) ?? 1
                if let model { request = .chat(model: model, prompt: prompt, maxTokens: maxTokens) }
            }
        case "get"?:
            if let text = string(object["get"], at: object.path("get"), required: true) {
                // A path that stays under the baseURL: no dot segments, as for client requests.
                if text.utf8.first == UInt8(ascii: "/"),
                   text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }),
                   case .success(.unchanged) = RequestPath.normalize(text.prefix { $0 != "?" }) {
                    request = .get(path: text)
                } else {
                    report(object.path("get"), "\(ConfigIssue.quoted(text)) is not a path; expected a path under the baseURL such as \"/models\"")
                }
            }
        default:
            break
        }
        guard issues.count == before, let request else { return nil }
        return WarmupConfig(idleAfter: idleAfter, interval: interval, request: request)
    }

    /// `prices`: upstream model name → per-1M-token prices.
    mutating func decodePrices(_ value: JSONValue, at path: String) -> [String: ModelPriceConfig]? {
        guard case .object(let object) = value else {
            report(path, "expected an object, found \(ConfigIssue.found(value))")
            return nil
        }
        let before = issues.count
        var prices: [String: ModelPriceConfig] = [:]
        for (model, priceValue) in object.members {
            let memberPath = JSONPath.member(path, model)
            if model.isEmpty { report(memberPath, "expected a non-empty model name as the key") }
            guard let price = ConfigObjectReader(priceValue, at: memberPath, allowed: Self.priceKeys, issues: &issues) else { continue }
            let input = self.price(price["input"], at: price.path("input"), required: true)
            let output = self.price(price["output"], at: price.path("output"), required: true)
            let cached = self.price(price["cachedInput"], at: price.path("cachedInput"), required: false)
            let cacheWrite = self.price(price["cacheWriteInput"], at: price.path("cacheWriteInput"), required: false)
            var currency = "USD"
            if let text = string(price["currency"], at: price.path("currency"), required: false) {
                if text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                    currency = text
                } else {
                    report(price.path("currency"), "\(ConfigIssue.quoted(text)) is not a currency code; expected three capital letters such as \"USD\"")
                }
            }
            if let input, let output, !model.isEmpty {
                prices[model] = ModelPriceConfig(input: input, output: output, cachedInput: cached, cacheWriteInput: cacheWrite,
                                                 currency: currency)
            }
        }
        return issues.count == before ? prices : nil
    }

    /// A price: a finite number from 0 to `ModelPriceConfig.maxPrice`.
    private mutating func price(_ value: JSONValue?, at path: String, required: Bool) -> Double? {
        guard let value else {
            if required { report(path, "required field is missing") }
            return nil
        }
        guard case .number(let number) = value, let price = number.double, price.isFinite, price >= 0 else {
            report(path, "\(ConfigIssue.found(value)) is not a non-negative number")
            return nil
        }
        guard price <= ModelPriceConfig.maxPrice else {
            report(path, "\(number.literal) is greater than the maximum 1000000")
            return nil
        }
        return price
    }
}
