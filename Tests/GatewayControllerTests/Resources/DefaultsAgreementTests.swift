import Foundation
import KubeYAML
import ProxyCore
import Testing
@testable import GatewayController

/// One default per setting: what the API server fills in (the CRDs' `default`s), what the
/// controller assumes for files read without an API server, and what the sidecar assumes
/// when the config leaves a field out are the same value.
@Suite struct DefaultsAgreementTests {
    static let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy/crds")

    /// The `default` of the schema node at `path` (dotted, `[]` for array items) in the CRD file `name`.
    static func crdDefault(_ name: String, _ path: String) throws -> JSONValue? {
        let text = try String(contentsOf: crds.appendingPathComponent(name), encoding: .utf8)
        var node = try #require(try YAMLReader.readDocuments(text).first)
        for key in ["spec", "versions"] { node = try #require(node.field(key)) }
        node = try #require(node.array?.first?.field("schema")?.field("openAPIV3Schema"))
        for component in path.split(separator: ".") {
            if component.hasSuffix("[]") {
                node = try #require(node.field("properties")?.field(String(component.dropLast(2)))?.field("items"), "\(path)")
            } else {
                node = try #require(node.field("properties")?.field(String(component)), "\(path)")
            }
        }
        return node.field("default")
    }

    static func duration(_ value: JSONValue?) -> ProxyDuration? { value?.string.flatMap { ProxyDuration(parsing: $0) } }

    @Test func backendDefaultsAreTheSidecars() throws {
        let breaker = CircuitBreakerConfig.default
        #expect(try Self.crdDefault("llmbackend.yaml", "spec.circuitBreaker.consecutiveFailures")?.int == breaker.consecutiveFailures)
        #expect(try Self.crdDefault("llmbackend.yaml", "spec.circuitBreaker.errorRatePercent")?.int == breaker.errorRatePercent)
        #expect(try Self.crdDefault("llmbackend.yaml", "spec.circuitBreaker.minRequests")?.int == breaker.minRequests)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.circuitBreaker.window")) == breaker.window)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.circuitBreaker.cooldown")) == breaker.cooldown)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.circuitBreaker.maxCooldown")) == breaker.maxCooldown)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.latencyShift.window")) == LatencyShiftConfig.defaultWindow)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.latencyShift.cooldown")) == LatencyShiftConfig.defaultCooldown)
        #expect(try Self.crdDefault("llmbackend.yaml", "spec.latencyShift.weightPercent")?.int == LatencyShiftConfig.defaultWeightPercent)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.warmup.idleAfter")) == WarmupConfig.defaultIdleAfter)
        #expect(Self.duration(try Self.crdDefault("llmbackend.yaml", "spec.warmup.interval")) == WarmupConfig.defaultInterval)
    }

    @Test func gatewayAndRouteDefaultsAreTheSidecars() throws {
        let timeouts = TimeoutsConfig.default
        for (field, value) in [("connect", timeouts.connect), ("firstByte", timeouts.firstByte), ("idle", timeouts.idle), ("total", timeouts.total)] {
            #expect(Self.duration(try Self.crdDefault("llmgateway.yaml", "spec.defaults.timeouts.\(field)")) == value, "\(field)")
        }
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.listeners.app")?.int == Int(ListenersConfig.defaultApp.port))
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.listeners.admin")?.int == Int(ListenersConfig.defaultAdmin.port))
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.listeners.metrics")?.int == Int(ListenersConfig.defaultMetrics.port))
        // The CRD counts retries, the config counts tries.
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.defaults.retry.attempts")?.int == RetryConfig.default.attempts - 1)
        #expect(Self.duration(try Self.crdDefault("llmgateway.yaml", "spec.defaults.retry.backoff.base")) == BackoffConfig.default.base)
        #expect(Self.duration(try Self.crdDefault("llmgateway.yaml", "spec.defaults.retry.backoff.max")) == BackoffConfig.default.max)
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].retry.budgetPercent")?.int == RetryConfig.default.budgetPercent)
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].retry.honorRetryAfter") == .bool(RetryConfig.default.honorRetryAfter))
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].retry.maxAttemptsPerRequest")?.int == DefaultsConfig.defaultMaxAttempts)
        let triggers = FallbackTriggers.default
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].fallback.triggers.statuses") == .array(triggers.statuses.map(\.jsonValue)))
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].fallback.triggers.connectFailure") == .bool(triggers.connectFailure))
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].fallback.triggers.timeout") == .bool(triggers.timeout))
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].fallback.triggers.truncation") == .bool(triggers.truncation))
        let memory = CacheMemoryConfig.default
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.cache.memory.maxBytes")?.int == memory.maxBytes)
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.cache.memory.maxEntries")?.int == memory.maxEntries)
        #expect(try Self.crdDefault("llmgateway.yaml", "spec.cache.memory.maxEntryBytes")?.int == memory.maxEntryBytes)
        let cache = RouteCacheConfig()
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].cache.mode") == .string(cache.mode.rawValue))
        #expect(Self.duration(try Self.crdDefault("llmroute.yaml", "spec.rules[].cache.ttl")) == cache.ttl)
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].cache.scope") == .string(cache.scope.rawValue))
        #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].cache.chargeHits") == .string(cache.chargeHits.rawValue))
        for (field, value) in [("multipleChoices", cache.allowMultipleChoices), ("toolCalls", cache.allowToolCalls), ("logprobs", cache.allowLogprobs)] {
            #expect(try Self.crdDefault("llmroute.yaml", "spec.rules[].cache.allow.\(field)") == .bool(value), "\(field)")
        }
    }

    @Test func filesReadWithoutAnAPIServerGetTheSameDefaults() throws {
        let documents = try YAMLReader.readDocuments("""
            apiVersion: sluice.dev/v1alpha1
            kind: LLMBackend
            metadata: {name: b}
            spec:
              provider: vllm
              url: http://vllm:8000/v1
              circuitBreaker: {}
              latencyShift: {p95Above: 3s}
              warmup: {path: /models}
            ---
            apiVersion: sluice.dev/v1alpha1
            kind: LLMGateway
            metadata: {name: gw}
            spec: {podSelector: {matchLabels: {app: x}}}
            """)
        let set = ResourceSet.decode(documents)
        let backend = try #require(set.backends.first?.spec)
        #expect(backend.circuitBreaker == CircuitBreakerConfig.default)
        #expect(backend.latencyShift == LatencyShiftConfig(p95Above: .seconds(3)))
        #expect(backend.warmup == WarmupConfig(request: .get(path: "/models")))
        let gateway = try #require(set.gateways.first?.spec)
        #expect(NamespaceTranslation.retryConfig(nil, gateway: gateway) == RetryConfig.default)
    }
}
