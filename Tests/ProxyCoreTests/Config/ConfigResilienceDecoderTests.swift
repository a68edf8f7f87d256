import Testing
@testable import ProxyCore

/// The resilience fields of routes, backends and defaults: defaults, every field, round trip.
@Suite struct ConfigResilienceDecoderTests {
    static let fullBackends = #"""
        {"name": "local", "provider": "vllm", "baseURL": "http://10.0.0.5:8000/v1", "maxConcurrentRequests": 2,
         "queue": {"size": 8, "maxWait": "1500ms"},
         "circuitBreaker": {"consecutiveFailures": 3, "errorRatePercent": 0, "minRequests": 10, "window": "10s", "cooldown": "5s", "maxCooldown": "1m"},
         "latencyShift": {"p95Above": "3s", "window": "1m", "weightPercent": 0, "cooldown": "2m"},
         "warmup": {"idleAfter": "2m", "interval": "30s", "chat": {"model": "deepseek-r1", "prompt": "hi", "maxTokens": 2}},
         "contextWindow": 32768,
         "prices": {"deepseek-r1": {"input": 0.55, "output": 2.19, "cachedInput": 0.14, "cacheWriteInput": 0.7, "currency": "CNY"}, "x": {"input": 0, "output": 1e-3}}},
        {"name": "cloud", "provider": "dashscope", "baseURL": "https://dashscope.aliyuncs.com/compatible-mode/v1",
         "credentials": {"file": "openai-key"}, "warmup": {"get": "/models"}, "contextWindow": 131072, "circuitBreaker": {}}
        """#

    static let fullRoutes = #"""
        {"name": "r1", "match": {"models": ["deepseek-r1"]}, "split": [{"backend": "local", "weight": 1}],
         "fallback": {"chain": [{"backend": "local", "model": "deepseek-r1-distill-qwen-32b"}, {"backend": "cloud", "model": "qwen-max"}],
                      "on": {"statuses": [429, 500, "5xx", "4xx"], "connectFailure": false, "truncation": true}},
         "retry": {"attempts": 3, "backoff": {"base": "50ms", "max": "1s"}, "honorRetryAfter": false, "budgetPercent": 0},
         "deadline": "45s", "maxAttempts": 4, "truncation": {"bufferStreams": "750ms", "bufferBytes": 65536}},
        {"name": "rest", "split": [{"backend": "cloud", "weight": 1}], "fallback": {"chain": [{"backend": "local"}]}}
        """#

    @Test func omittedResilienceFieldsGetDocumentedDefaults() throws {
        let config = try decodeValidConfig(configText())
        #expect(config.defaults.retry == RetryConfig(attempts: 1, backoff: BackoffConfig(base: .milliseconds(100), max: .seconds(2)),
                                                     honorRetryAfter: true, budgetPercent: 20))
        #expect(config.defaults.deadline == .seconds(120))
        #expect(config.defaults.maxAttempts == 5)
        #expect(config.defaults.fallbackOn == FallbackTriggers(statuses: [.code(429), .statusClass(5)], connectFailure: true,
                                                               timeout: true, truncation: false))
        let route = config.routes[0]
        #expect(route.fallback == nil && route.retry == nil && route.deadline == nil && route.maxAttempts == nil && route.truncation == nil)
        #expect(config.retry(for: route) == .default)
        #expect(config.deadline(for: route) == .seconds(120))
        #expect(config.maxAttempts(for: route) == 5)
        #expect(config.fallbackTriggers(for: route) == .default)
        #expect(config.truncation(for: route) == TruncationConfig(bufferStreams: .zero, bufferBytes: 262_144))
        let backend = config.backends[0]
        #expect(backend.queue == .none && backend.circuitBreaker == nil && backend.latencyShift == nil && backend.warmup == nil)
        #expect(backend.contextWindow == nil && backend.prices.isEmpty)
    }

    @Test func everyResilienceFieldDecodes() throws {
        let config = try decodeValidConfig(configText(
            extra: #""defaults": {"retry": {"attempts": 2}, "deadline": "90s", "maxAttempts": 7, "fallbackOn": {"statuses": [503], "timeout": false}}"#,
            backends: Self.fullBackends, routes: Self.fullRoutes))
        #expect(config.defaults.retry == RetryConfig(attempts: 2))
        #expect(config.defaults.deadline == .seconds(90))
        #expect(config.defaults.maxAttempts == 7)
        #expect(config.defaults.fallbackOn == FallbackTriggers(statuses: [.code(503)], connectFailure: true, timeout: false, truncation: false))

        let local = config.backends[0]
        #expect(local.queue == QueueConfig(size: 8, maxWait: .milliseconds(1500)))
        #expect(local.circuitBreaker == CircuitBreakerConfig(consecutiveFailures: 3, errorRatePercent: 0, minRequests: 10, window: .seconds(10),
                                                             cooldown: .seconds(5), maxCooldown: .seconds(60)))
        #expect(local.latencyShift == LatencyShiftConfig(p95Above: .seconds(3), window: .seconds(60), weightPercent: 0, cooldown: .seconds(120)))
        #expect(local.warmup == WarmupConfig(idleAfter: .seconds(120), interval: .seconds(30),
                                             request: .chat(model: "deepseek-r1", prompt: "hi", maxTokens: 2)))
        #expect(local.contextWindow == 32768)
        #expect(local.prices["deepseek-r1"] == ModelPriceConfig(input: 0.55, output: 2.19, cachedInput: 0.14, cacheWriteInput: 0.7, currency: "CNY"))
        #expect(local.prices["x"] == ModelPriceConfig(input: 0, output: 0.001))
        let cloud = config.backends[1]
        #expect(cloud.warmup == WarmupConfig(request: .get(path: "/models")))
        #expect(cloud.circuitBreaker == .default)

        let route = config.routes[0]
        #expect(route.fallback?.chain == [FallbackEntryConfig(backend: "local", model: "deepseek-r1-distill-qwen-32b"),
                                          FallbackEntryConfig(backend: "cloud", model: "qwen-max")])
        let triggers = config.fallbackTriggers(for: route)
        #expect(triggers == FallbackTriggers(statuses: [.code(429), .code(500), .statusClass(5), .statusClass(4)],
                                             connectFailure: false, timeout: true, truncation: true))
        #expect(triggers.matches(status: 404) && triggers.matches(status: 502) && !triggers.matches(status: 200))
        #expect(config.retry(for: route) == RetryConfig(attempts: 3, backoff: BackoffConfig(base: .milliseconds(50), max: .seconds(1)),
                                                        honorRetryAfter: false, budgetPercent: 0))
        #expect(config.deadline(for: route) == .seconds(45))
        #expect(config.maxAttempts(for: route) == 4)
        #expect(config.truncation(for: route) == TruncationConfig(bufferStreams: .milliseconds(750), bufferBytes: 65536))
        let rest = config.routes[1]
        #expect(config.fallbackTriggers(for: rest) == config.defaults.fallbackOn)
        #expect(config.retry(for: rest) == RetryConfig(attempts: 2))
        #expect(config.maxAttempts(for: rest) == 7)
    }

    @Test func resilienceFieldsSurviveEncodingAndDecoding() throws {
        let original = try decodeValidConfig(configText(
            extra: #""defaults": {"retry": {"attempts": 2, "budgetPercent": 5}, "deadline": "1m30s", "fallbackOn": {"statuses": ["4xx"], "truncation": true}}"#,
            backends: Self.fullBackends, routes: Self.fullRoutes))
        let bytes = JSONWriter.write(original.jsonValue, options: [.pretty, .canonical])
        let again = try configTestDecoder.decode(bytes)
        #expect(again == original)
        #expect(configTestDecoder.validate(original).isEmpty)
    }

    @Test func truncationBufferingIsAcceptedWithTheDefaultTriggerOn() throws {
        let config = try decodeValidConfig(configText(
            extra: #""defaults": {"fallbackOn": {"truncation": true}}"#,
            routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "fallback": {"chain": [{"backend": "deepseek"}]}, "truncation": {"bufferStreams": "0ms"}}"#))
        #expect(config.routes[0].truncation == TruncationConfig(bufferStreams: .zero))
    }

    @Test func aFallbackToTheSplitBackendWithAnotherModelIsAllowed() throws {
        let config = try decodeValidConfig(configText(
            routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "fallback": {"chain": [{"backend": "openai", "model": "gpt-4o-mini"}, {"backend": "deepseek"}]}}"#))
        #expect(config.routes[0].fallback?.chain.count == 2)
    }
}

extension ConfigResilienceDecoderTests {
    @Test func theResilienceExampleChainsTheSelfHostedModelToTheOnlineOne() throws {
        let directory = ConfigExampleTests.repositoryRoot.appendingPathComponent("examples/resilience")
        let config = try ConfigExampleTests.decodeExample(directory)
        let policies = try AttemptPolicy.table(for: config)
        let reasoning = policies[0]
        #expect(reasoning.chain.map { $0.target(clientModel: "deepseek-r1").model } == ["deepseek-r1-distill-qwen-32b", "qwen-max"])
        #expect(reasoning.triggers.truncation && reasoning.attemptsPerTarget == 2 && reasoning.deadline == .seconds(90))
        #expect(config.truncation(for: config.routes[0]).bufferStreams == .milliseconds(500))
        let selfHosted = config.backends[0]
        #expect(selfHosted.maxConcurrentRequests == 2 && selfHosted.queue == QueueConfig(size: 4, maxWait: .seconds(2)))
        #expect(selfHosted.warmup?.request == .chat(model: "deepseek-r1", prompt: "ping", maxTokens: 1))
        #expect(config.backends[1].prices["qwen-max"] == ModelPriceConfig(input: 1.6, output: 6.4))
        #expect(policies[1].attemptsPerTarget == 3)
    }
}
