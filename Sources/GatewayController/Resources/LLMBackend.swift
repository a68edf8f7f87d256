import ProxyCore

/// An `LLMBackend`: one provider endpoint (see docs/crds.md). Decoding checks every field and
/// keeps the resilience fields (queue, breaker, latency shift, warmup, prices, context window)
/// as the proxy config values they become, with the CRD's defaults; the few with no config
/// equivalent are listed in `untranslated` for the `NotYetTranslated` condition.
package struct LLMBackend: Hashable, Sendable {
    package struct Spec: Hashable, Sendable {
        package var provider: ProviderKind = .openai
        /// Set whenever decoding succeeded (`url` parsed).
        package var baseURL: BackendURL?
        /// The key Secrets: one (`secretRef`) or several used in turn (`secretRefs`).
        package var credentials: [SecretKeyRef] = []
        package var credentialHeader: CredentialHeader?
        package var credentialCooldown: ProxyDuration?
        package var defaultMaxTokens: Int?
        package var azure: AzureConfig?
        package var models: [String: String] = [:]
        package var timeouts = TimeoutsSpec()
        package var caSecret: SecretKeyRef?
        package var insecureSkipVerify = false
        package var maxConcurrentRequests: Int?
        package var queue = QueueConfig.none
        package var circuitBreaker: CircuitBreakerConfig?
        package var latencyShift: LatencyShiftConfig?
        package var warmup: WarmupConfig?
        package var contextWindow: Int?
        package var prices: [String: ModelPriceConfig] = [:]
        /// The model registry entries of this backend (`LLMBackend+ModelInfo.swift`).
        package var modelInfo: [String: ModelInfoConfig] = [:]
        /// Fields the proxy config cannot express: where, and why.
        package var untranslated: [SpecIssue] = []
    }

    package var meta: ResourceMeta
    package var spec: Spec

    static let resilienceFields = ["queue", "circuitBreaker", "latencyShift", "warmup", "prices", "contextWindow", "modelInfo"]

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["provider", "url", "credentials", "models", "timeouts", "tls",
                                                                "maxConcurrentRequests", "defaultMaxTokens", "azure"] + resilienceFields,
                                    required: ["provider", "url"])
        else { return nil }
        let before = d.issues.count
        var spec = Spec()
        if let provider = d.choice(object["provider"], at: object.path("provider"), ProviderKind.allCases.map(\.rawValue)) {
            spec.provider = ProviderKind(rawValue: provider)!
        }
        let url = d.string(object["url"], at: object.path("url"), maxLength: 2048, nonEmpty: true)
        if let url {
            switch BackendURL.parse(url) {
            case .success(let parsed): spec.baseURL = parsed
            case .failure(let problem): d.report(object.path("url"), "\(SpecDecoding.quoted(url)) is not a valid backend URL: \(problem)")
            }
        }
        if let credentials = d.optionalObject(object["credentials"], at: object.path("credentials"),
                                              allowed: ["secretRef", "secretRefs", "header", "cooldown"]) {
            switch (credentials["secretRef"], credentials["secretRefs"]) {
            case (let ref?, nil):
                spec.credentials = SecretKeyRef.decode(ref, at: credentials.path("secretRef"), defaultKey: "api-key", decoding: &d).map { [$0] } ?? []
            case (nil, let refs?):
                let items = d.array(refs, at: credentials.path("secretRefs"), min: 1, max: CredentialsConfig.maxFiles) ?? []
                for (index, item) in items.enumerated() {
                    if let ref = SecretKeyRef.decode(item, at: JSONPath.element(credentials.path("secretRefs"), index), defaultKey: "api-key",
                                                     decoding: &d) {
                        spec.credentials.append(ref)
                    }
                }
            default:
                d.report(credentials.path, "set exactly one of \"secretRef\" or \"secretRefs\"")
            }
            if let header = d.choice(credentials["header"], at: credentials.path("header"), CredentialHeader.allCases.map(\.rawValue)) {
                spec.credentialHeader = CredentialHeader(rawValue: header)
            }
            spec.credentialCooldown = d.duration(credentials["cooldown"], at: credentials.path("cooldown"))
        }
        spec.defaultMaxTokens = d.integer(object["defaultMaxTokens"], at: object.path("defaultMaxTokens"), in: 1...BackendConfig.maxDefaultMaxTokens)
        if spec.defaultMaxTokens != nil, spec.provider != .anthropic {
            d.report(object.path("defaultMaxTokens"), "applies to anthropic backends only (the max_tokens of a translated request)")
        }
        if let azure = d.optionalObject(object["azure"], at: object.path("azure"), allowed: ["apiVersion", "deployments"], required: ["apiVersion"]) {
            if spec.provider != .azureOpenAI { d.report(azure.path, "applies to azure-openai backends only") }
            let apiVersion = d.string(azure["apiVersion"], at: azure.path("apiVersion"), maxLength: 64, nonEmpty: true)
            if let apiVersion, !AzureConfig.isURLSafeName(apiVersion) {
                d.report(azure.path("apiVersion"), "\(SpecDecoding.quoted(apiVersion)) is not an API version such as \"2024-10-21\"")
            }
            let deployments = d.stringMap(azure["deployments"], at: azure.path("deployments"), maxLength: 256) ?? []
            for (model, deployment) in deployments where !AzureConfig.isURLSafeName(deployment) {
                d.report(JSONPath.member(azure.path("deployments"), model),
                         "\(SpecDecoding.quoted(deployment)) is not a deployment name (letters, digits, '.', '_', '-')")
            }
            if let apiVersion {
                spec.azure = AzureConfig(apiVersion: apiVersion, deployments: Dictionary(uniqueKeysWithValues: deployments.map { ($0.key, $0.value) }))
            }
        }
        spec.models = Dictionary(uniqueKeysWithValues: (d.stringMap(object["models"], at: object.path("models"), maxLength: 256) ?? []).map { ($0.key, $0.value) })
        spec.timeouts = TimeoutsSpec.decode(object["timeouts"], at: object.path("timeouts"), withRequest: false, decoding: &d) ?? TimeoutsSpec()
        if let tls = d.optionalObject(object["tls"], at: object.path("tls"), allowed: ["caSecretRef", "insecureSkipVerify"]) {
            if tls["caSecretRef"] != nil {
                spec.caSecret = SecretKeyRef.decode(tls["caSecretRef"], at: tls.path("caSecretRef"), defaultKey: "ca.crt", decoding: &d)
            }
            spec.insecureSkipVerify = d.bool(tls["insecureSkipVerify"], at: tls.path("insecureSkipVerify")) ?? false
            if spec.caSecret != nil && spec.insecureSkipVerify {
                d.report(tls.path, "caSecretRef and insecureSkipVerify: true cannot be combined")
            }
            if url?.hasPrefix("https://") != true {
                d.report(tls.path, "tls is only allowed with an https:// url")
            }
        }
        spec.maxConcurrentRequests = d.integer(object["maxConcurrentRequests"], at: object.path("maxConcurrentRequests"), in: 1...100_000)
        if object["queue"] != nil && object["maxConcurrentRequests"] == nil {
            d.report(object.path("queue"), "a queue needs maxConcurrentRequests")
        }
        decodePolicies(object, into: &spec, decoding: &d)
        if object["modelInfo"] != nil { spec.modelInfo = decodeModelInfo(object["modelInfo"], at: object.path("modelInfo"), decoding: &d) }
        return d.issues.count == before ? spec : nil
    }

    private static func decodePolicies(_ object: SpecObject, into spec: inout Spec, decoding d: inout SpecDecoding) {
        if let queue = d.optionalObject(object["queue"], at: object.path("queue"), allowed: ["size", "maxWait"]) {
            let size = d.integer(queue["size"], at: queue.path("size"), in: 0...100_000) ?? 0
            let maxWait = d.duration(queue["maxWait"], at: queue.path("maxWait")) ?? .seconds(1)
            spec.queue = QueueConfig(size: size, maxWait: maxWait)
        }
        if let breaker = d.optionalObject(object["circuitBreaker"], at: object.path("circuitBreaker"),
                                          allowed: ["consecutiveFailures", "errorRatePercent", "minRequests", "window", "cooldown", "maxCooldown"]) {
            let defaults = CircuitBreakerConfig.default
            let consecutive = d.integer(breaker["consecutiveFailures"], at: breaker.path("consecutiveFailures"), in: 0...1000) ?? defaults.consecutiveFailures
            let rate = d.integer(breaker["errorRatePercent"], at: breaker.path("errorRatePercent"), in: 0...100) ?? defaults.errorRatePercent
            let minRequests = d.integer(breaker["minRequests"], at: breaker.path("minRequests"), in: 1...1_000_000) ?? defaults.minRequests
            let window = d.duration(breaker["window"], at: breaker.path("window")) ?? defaults.window
            let cooldown = d.duration(breaker["cooldown"], at: breaker.path("cooldown")) ?? defaults.cooldown
            let maxCooldown = d.duration(breaker["maxCooldown"], at: breaker.path("maxCooldown")) ?? defaults.maxCooldown
            if maxCooldown < cooldown { d.report(breaker.path("maxCooldown"), "must not be shorter than cooldown") }
            // Both triggers off means the breaker never opens: the same as none at all.
            if consecutive > 0 || rate > 0 {
                spec.circuitBreaker = CircuitBreakerConfig(consecutiveFailures: consecutive, errorRatePercent: rate, minRequests: minRequests,
                                                           window: window, cooldown: cooldown, maxCooldown: maxCooldown)
            }
        }
        if let shift = d.optionalObject(object["latencyShift"], at: object.path("latencyShift"), allowed: ["p95Above", "window", "cooldown", "weightPercent"],
                                        required: ["p95Above"]) {
            let p95Above = d.duration(shift["p95Above"], at: shift.path("p95Above"))
            let window = d.duration(shift["window"], at: shift.path("window")) ?? LatencyShiftConfig.defaultWindow
            let cooldown = d.duration(shift["cooldown"], at: shift.path("cooldown")) ?? LatencyShiftConfig.defaultCooldown
            let percent = d.integer(shift["weightPercent"], at: shift.path("weightPercent"), in: 0...99) ?? LatencyShiftConfig.defaultWeightPercent
            if let p95Above { spec.latencyShift = LatencyShiftConfig(p95Above: p95Above, window: window, weightPercent: percent, cooldown: cooldown) }
        }
        if let warmup = d.optionalObject(object["warmup"], at: object.path("warmup"),
                                         allowed: ["idleAfter", "interval", "onStart", "model", "prompt", "maxTokens", "path"]) {
            let idleAfter = d.duration(warmup["idleAfter"], at: warmup.path("idleAfter")) ?? WarmupConfig.defaultIdleAfter
            let interval = d.duration(warmup["interval"], at: warmup.path("interval")) ?? WarmupConfig.defaultInterval
            if idleAfter < interval { d.report(warmup.path("idleAfter"), "must not be shorter than interval") }
            if d.bool(warmup["onStart"], at: warmup.path("onStart")) == false {
                spec.untranslated.append(SpecIssue(path: warmup.path("onStart"), message: "the proxy config cannot turn the start-up ping off yet"))
            }
            var request: WarmupRequest?
            switch (warmup["model"], warmup["path"]) {
            case (let model?, nil):
                let name = d.string(model, at: warmup.path("model"), maxLength: 256, nonEmpty: true)
                let prompt = d.string(warmup["prompt"], at: warmup.path("prompt"), maxLength: 1024, nonEmpty: true) ?? WarmupConfig.defaultPrompt
                let maxTokens = d.integer(warmup["maxTokens"], at: warmup.path("maxTokens"), in: 1...64) ?? 1
                if maxTokens > WarmupConfig.maxTokensLimit {
                    d.report(warmup.path("maxTokens"), "\(maxTokens) is more than the sidecar's limit of \(WarmupConfig.maxTokensLimit) for a ping")
                }
                if let name { request = .chat(model: name, prompt: prompt, maxTokens: maxTokens) }
            case (nil, let path?):
                if warmup["prompt"] != nil || warmup["maxTokens"] != nil { d.report(warmup.path, "prompt and maxTokens belong to a model ping, not a path ping") }
                if let text = d.string(path, at: warmup.path("path"), maxLength: 1024, nonEmpty: true) {
                    if text.hasPrefix("/"), !text.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace }) {
                        request = .get(path: text)
                    } else {
                        d.report(warmup.path("path"), "\(SpecDecoding.quoted(text)) is not a path such as \"/models\"")
                    }
                }
            default:
                d.report(warmup.path, "set exactly one of \"model\" (a chat completion ping) or \"path\" (a GET)")
            }
            if let request { spec.warmup = WarmupConfig(idleAfter: idleAfter, interval: interval, request: request) }
        }
        spec.contextWindow = d.integer(object["contextWindow"], at: object.path("contextWindow"), in: 1...BackendConfig.maxContextWindow)
        if let prices = object["prices"] {
            guard case .object(let models) = prices else {
                d.report(object.path("prices"), "expected an object, found \(SpecDecoding.found(prices))")
                return
            }
            for member in models.members {
                let path = JSONPath.member(object.path("prices"), member.key)
                guard let price = d.object(member.value, at: path, allowed: ["input", "cachedInput", "cacheWriteInput", "output", "currency"], required: ["input", "output"])
                else { continue }
                let input = d.nonNegativeNumber(price["input"], at: price.path("input"), max: ModelPriceConfig.maxPrice)
                let cachedInput = d.nonNegativeNumber(price["cachedInput"], at: price.path("cachedInput"), max: ModelPriceConfig.maxPrice)
                let cacheWriteInput = d.nonNegativeNumber(price["cacheWriteInput"], at: price.path("cacheWriteInput"), max: ModelPriceConfig.maxPrice)
                let output = d.nonNegativeNumber(price["output"], at: price.path("output"), max: ModelPriceConfig.maxPrice)
                var currency = "USD"
                if let text = d.string(price["currency"], at: price.path("currency")) {
                    if text.utf8.count == 3, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                        currency = text
                    } else {
                        d.report(price.path("currency"), "\(SpecDecoding.quoted(text)) is not an ISO 4217 code such as \"USD\"")
                    }
                }
                if let input = input?.double, let output = output?.double {
                    spec.prices[member.key] = ModelPriceConfig(input: input, output: output, cachedInput: cachedInput?.double,
                                                                cacheWriteInput: cacheWriteInput?.double, currency: currency)
                }
            }
        }
    }
}
