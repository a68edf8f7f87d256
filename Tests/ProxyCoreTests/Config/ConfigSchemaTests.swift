import Foundation
import Testing
@testable import ProxyCore

/// The JSON Schema in `deploy/schema/` must describe exactly what the decoder accepts.
@Suite struct ConfigSchemaTests {
    static let schemaURL = ConfigExampleTests.repositoryRoot.appendingPathComponent("deploy/schema/proxyconfig.schema.json")

    static func schema() throws -> JSONObject {
        let value = try JSONParser.parse(Array(try Data(contentsOf: schemaURL)), options: .init(rejectDuplicateKeys: true))
        guard case .object(let object) = value else { throw ProxyConfigError(issues: []) }
        return object
    }

    static func definition(_ path: [String], in schema: JSONObject) -> JSONValue? {
        var current: JSONValue = .object(schema)
        for key in path {
            guard case .object(let object) = current, let next = object[key] else { return nil }
            current = next
        }
        return current
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let elements)? = value else { return [] }
        return elements.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    static func keys(_ value: JSONValue?) -> [String] {
        guard case .object(let object)? = value else { return [] }
        return object.keys
    }

    @Test func enumsAndFieldListsAgreeWithTheDecoder() throws {
        let schema = try Self.schema()
        let defs = ["$defs"]
        #expect(Self.strings(Self.definition(defs + ["backend", "properties", "provider", "enum"], in: schema)) == ProviderKind.allCases.map(\.rawValue))
        #expect(Self.strings(Self.definition(defs + ["backend", "properties", "credentials", "properties", "header", "enum"], in: schema))
            == CredentialHeader.allCases.map(\.rawValue))
        #expect(Self.keys(Self.definition(defs + ["backend", "properties"], in: schema)) == ProxyConfigDecoding.backendKeys)
        #expect(Self.keys(Self.definition(["properties"], in: schema)) == ["apiVersion", "kind", "listeners", "defaults", "backends", "routes",
                                                                        "consumers", "authentication", "redis", "guards", "cache"])
        #expect(Self.keys(Self.definition(["properties", "redis", "properties"], in: schema)) == ProxyConfigDecoding.redisKeys)
        #expect(Self.strings(Self.definition(["properties", "redis", "properties", "failMode", "enum"], in: schema))
            == RedisConfig.FailMode.allCases.map(\.rawValue))
        #expect(Self.strings(Self.definition(["properties", "redis", "properties", "mode", "enum"], in: schema))
            == RedisConfig.Mode.allCases.map(\.rawValue))
        #expect(Self.keys(Self.definition(defs + ["consumer", "properties"], in: schema)) == ProxyConfigDecoding.consumerKeys)
        #expect(Self.keys(Self.definition(defs + ["guard", "properties"], in: schema)) == ProxyConfigDecoding.guardKeys)
        #expect(Self.keys(Self.definition(defs + ["guardRule", "properties"], in: schema)) == ProxyConfigDecoding.guardRuleKeys)
        #expect(Self.strings(Self.definition(defs + ["guardRule", "properties", "detectors", "items", "enum"], in: schema))
            == GuardDetector.allCases.map(\.rawValue))
        #expect(Self.keys(Self.definition(defs + ["consumer", "properties", "rateLimits", "properties"], in: schema))
            == RateLimitWindow.allCases.map(\.requestsField) + RateLimitWindow.allCases.map(\.tokensField) + ["tokenCounting"])
        #expect(Self.keys(Self.definition(defs + ["consumer", "properties", "quotas", "properties"], in: schema)) == ProxyConfigDecoding.quotaKeys)
        #expect(Self.keys(Self.definition(["properties", "authentication", "properties", "anonymous", "properties"], in: schema))
            == ProxyConfigDecoding.anonymousKeys)
        #expect(Self.keys(Self.definition(defs + ["route", "properties"], in: schema)) == ProxyConfigDecoding.routeKeys)
        #expect(Self.keys(Self.definition(defs + ["defaults", "properties"], in: schema)) == ProxyConfigDecoding.defaultsKeys)
        #expect(Self.keys(Self.definition(defs + ["retry", "properties"], in: schema)) == ProxyConfigDecoding.retryKeys)
        #expect(Self.keys(Self.definition(defs + ["fallbackTriggers", "properties"], in: schema)) == ProxyConfigDecoding.triggerKeys)
        #expect(Self.keys(Self.definition(defs + ["fallbackEntry", "properties"], in: schema)) == ["backend", "model"])
        #expect(Self.keys(Self.definition(defs + ["route", "properties", "fallback", "properties"], in: schema)) == ["chain", "on"])
        #expect(Self.keys(Self.definition(defs + ["route", "properties", "truncation", "properties"], in: schema)) == ["bufferStreams", "bufferBytes"])
        let backendProperties = defs + ["backend", "properties"]
        #expect(Self.keys(Self.definition(backendProperties + ["queue", "properties"], in: schema)) == ["size", "maxWait"])
        #expect(Self.keys(Self.definition(backendProperties + ["circuitBreaker", "properties"], in: schema)) == ProxyConfigDecoding.circuitBreakerKeys)
        #expect(Self.keys(Self.definition(backendProperties + ["latencyShift", "properties"], in: schema)) == ProxyConfigDecoding.latencyShiftKeys)
        #expect(Self.keys(Self.definition(backendProperties + ["warmup", "properties"], in: schema)) == ProxyConfigDecoding.warmupKeys)
        #expect(Self.keys(Self.definition(backendProperties + ["prices", "additionalProperties", "properties"], in: schema)) == ProxyConfigDecoding.priceKeys)
        #expect(Self.definition(defs + ["retry", "properties", "attempts", "maximum"], in: schema) == .number(JSONNumber(RetryConfig.maxAttemptsLimit)))
        #expect(Self.definition(defs + ["maxAttempts", "maximum"], in: schema) == .number(JSONNumber(DefaultsConfig.maxAttemptsLimit)))
        #expect(Self.definition(defs + ["defaults", "properties", "deadline", "default"], in: schema) == .string(DefaultsConfig.defaultDeadline.configString))
        #expect(Self.definition(defs + ["defaults", "properties", "maxAttempts", "default"], in: schema) == .number(JSONNumber(DefaultsConfig.defaultMaxAttempts)))
        #expect(Self.definition(backendProperties + ["contextWindow", "maximum"], in: schema) == .number(JSONNumber(BackendConfig.maxContextWindow)))
        #expect(Self.definition(defs + ["route", "properties", "truncation", "properties", "bufferBytes", "maximum"], in: schema)
            == .number(JSONNumber(TruncationConfig.maxBufferBytes)))
        #expect(Self.definition(defs + ["route", "properties", "truncation", "properties", "bufferBytes", "default"], in: schema)
            == .number(JSONNumber(TruncationConfig.defaultBufferBytes)))
        #expect(Self.keys(Self.definition(defs + ["match", "properties"], in: schema)) == ["paths", "model", "models", "headers"])
        #expect(Self.keys(Self.definition(defs + ["routeCache", "properties"], in: schema)) == ProxyConfigDecoding.routeCacheKeys)
        #expect(Self.keys(Self.definition(defs + ["routeCache", "properties", "allow", "properties"], in: schema)) == ProxyConfigDecoding.cacheAllowKeys)
        #expect(Self.strings(Self.definition(defs + ["routeCache", "properties", "mode", "enum"], in: schema)) == RouteCacheConfig.Mode.allCases.map(\.rawValue))
        #expect(Self.keys(Self.definition(["properties", "cache", "properties", "memory", "properties"], in: schema)) == ProxyConfigDecoding.cacheMemoryKeys)
        #expect(Self.keys(Self.definition(defs + ["splitEntry", "properties"], in: schema)) == ["backend", "weight", "model"])
        #expect(Self.keys(Self.definition(defs + ["timeouts", "properties"], in: schema)) == ["connect", "firstByte", "firstToken", "idle", "total"])
        #expect(Self.definition(defs + ["splitEntry", "properties", "weight", "maximum"], in: schema) == .number(JSONNumber(SplitEntryConfig.maxWeight)))
        #expect(Self.definition(defs + ["defaults", "properties", "maxRequestBodyBytes", "default"], in: schema)
            == .number(JSONNumber(DefaultsConfig.defaultMaxRequestBodyBytes)))
    }

    /// Whether `python3` with the `jsonschema` package is here to check documents against the schema.
    static let pythonJSONSchemaAvailable: Bool = run(["-c", "import jsonschema"], input: Data()).status == 0

    static func run(_ arguments: [String], input: Data) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        do { try process.run() } catch { return (-1, "\(error)") }
        stdin.fileHandleForWriting.write(input)
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Validates `document` against the schema with Python's jsonschema; nil when valid, else the errors.
    static func schemaErrors(_ document: Data) -> String? {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(sys.stdin))]
            print("\\n".join(errors)); sys.exit(1 if errors else 0)
            """
        let result = run(["-c", script, schemaURL.path], input: document)
        return result.status == 0 ? nil : result.output
    }

    @Test(.enabled(if: pythonJSONSchemaAvailable, "needs python3 with jsonschema"))
    func everyExampleValidatesAgainstTheSchema() throws {
        for directory in ConfigExampleTests.exampleDirectories {
            let document = try Data(contentsOf: directory.appendingPathComponent("config/config.json"))
            #expect(Self.schemaErrors(document) == nil, "\(directory.lastPathComponent)")
        }
    }

    @Test(.enabled(if: pythonJSONSchemaAvailable, "needs python3 with jsonschema"))
    func theSchemaAlsoRejectsShapeErrorsTheDecoderRejects() {
        let bad = [
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": -5}]}"#),
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 0}]}"#),
            configText(extra: #""defaults": {"timeouts": {"connect": "5 seconds"}}"#),
            configText(extra: #""defaults": {"timeouts": {"connect": "0s"}}"#),
            configText(extra: #""listeners": {"admin": "0.0.0.0:4001"}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "timeout": {}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "credentials": {"file": "../k"}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://u@a.example"}"#),
            configText(backends: #"{"name": "openai", "provider": "vllm", "baseURL": "http://a.example", "tls": {}}"#),
            configText(routes: #"{"name": "r", "match": {"model": {"exact": "a", "glob": "b"}}, "split": [{"backend": "openai", "weight": 1}]}"#),
            configText(routes: #"{"name": "r", "match": {"headers": [{"name": "x"}]}, "split": [{"backend": "openai", "weight": 1}]}"#),
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "fallback": {"chain": []}}"#),
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "fallback": {"chain": [{"backend": "deepseek"}], "on": {"statuses": [200]}}}"#),
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "fallback": {"chain": [{"backend": "deepseek"}], "on": {"statuses": ["3xx"]}}}"#),
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "retry": {"attempts": 11}}"#),
            configText(routes: #"{"name": "r", "split": [{"backend": "openai", "weight": 1}], "retry": {"budgetPercent": 101}}"#),
            configText(extra: #""defaults": {"maxAttempts": 0}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "queue": {"size": 1, "maxWait": "1s"}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "latencyShift": {}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "warmup": {"get": "/models", "chat": {"model": "m"}}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "warmup": {"interval": "1m"}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "prices": {"m": {"input": -1, "output": 1}}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "prices": {"m": {"input": 1, "output": 1, "currency": "usd"}}}"#),
            configText(backends: #"{"name": "openai", "provider": "openai", "baseURL": "https://a.example", "circuitBreaker": {"window": "0s"}}"#),
        ]
        for text in bad {
            #expect(!configIssues(text).isEmpty)
            #expect(Self.schemaErrors(Data(text.utf8)) != nil, "\(text)")
        }
        #expect(Self.schemaErrors(Data(configText().utf8)) == nil)
    }

    @Test(.enabled(if: pythonJSONSchemaAvailable, "needs python3 with jsonschema"))
    func theSchemaAcceptsEveryResilienceField() {
        let text = configText(
            extra: #""defaults": {"retry": {"attempts": 2}, "deadline": "90s", "maxAttempts": 7, "fallbackOn": {"statuses": [503], "timeout": false}}"#,
            backends: ConfigResilienceDecoderTests.fullBackends, routes: ConfigResilienceDecoderTests.fullRoutes)
        #expect(configIssues(text).isEmpty)
        #expect(Self.schemaErrors(Data(text.utf8)) == nil)
    }
}
