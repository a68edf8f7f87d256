import Foundation
import KubeYAML
import ProxyCore
import Testing
@testable import GatewayController

/// One test per entry of `UnsupportedField.all`: a resource using the field is refused, naming
/// it, and nothing the field asked for is silently missing from a ConfigMap.
@Suite struct UnsupportedFieldTests {
    /// A gateway, a backend and a route with a `main` rule and a `rest` catch-all, with
    /// `gateway` added to the gateway's spec and `rule` to the `main` rule, plus `extra` documents.
    static func manifests(gateway: String = "", rule: String = "", extra: String = "") -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: keys}
        stringData: {current: k1}
        ---
        apiVersion: sluice.dev/v1alpha1
        kind: LLMGateway
        metadata: {name: gw}
        spec: {podSelector: {matchLabels: {app: x}}\(gateway)}
        ---
        apiVersion: sluice.dev/v1alpha1
        kind: LLMBackend
        metadata: {name: a}
        spec: {provider: vllm, url: "http://a:8000/v1"}
        ---
        apiVersion: sluice.dev/v1alpha1
        kind: LLMRoute
        metadata: {name: r}
        spec:
          parentRefs: [{name: gw}]
          rules:
            - {name: main, matches: [{model: {exact: m}}], backendRefs: [{name: a}]\(rule)}
            - {name: rest, backendRefs: [{name: a}]}
        \(extra)
        """
    }

    /// For each field of the table: manifests that use it, and where the problem must point.
    static let samples: [String: (manifests: String, resource: ResourceID, path: String)] = [
        "spec.accessLog.enabled": (manifests(gateway: ", accessLog: {enabled: false}"), ResourceID(.gateway, "default", "gw"), "spec.accessLog.enabled"),
        "spec.accessLog.sampleRate": (manifests(gateway: ", accessLog: {sampleRate: 0.1}"), ResourceID(.gateway, "default", "gw"), "spec.accessLog.sampleRate"),
        "spec.rules[].match.caseSensitive": (manifests(extra: """
            ---
            apiVersion: sluice.dev/v1alpha1
            kind: LLMGuardPolicy
            metadata: {name: p}
            spec: {rules: [{name: r, match: {keywords: [x], caseSensitive: true}, action: log}]}
            """), ResourceID(.guardPolicy, "default", "p"), "spec.rules[].match.caseSensitive"),
    ]

    static func translate(_ text: String) throws -> Translation {
        GatewayTranslator.translate(ResourceSet.decode(try YAMLReader.readDocuments(text)))
    }

    @Test func everyEntryHasASampleAndEverySampleAnEntry() {
        #expect(Set(Self.samples.keys) == Set(UnsupportedField.all.map(\.field)))
        #expect(UnsupportedField.all.count == Set(UnsupportedField.all.map { "\($0.kind) \($0.field)" }).count, "one entry per field")
    }

    @Test(arguments: UnsupportedField.all.map(\.field))
    func aResourceUsingTheFieldIsRefusedNamingIt(_ field: String) throws {
        let sample = try #require(Self.samples[field])
        let entry = try #require(UnsupportedField.all.first { $0.field == field })
        #expect(sample.resource.kind == entry.kind)
        let translation = try Self.translate(sample.manifests)
        let problem = try #require(translation.problems.first { $0.reason == "UnsupportedValue" && $0.path == sample.path },
                                   "\(translation.problems)")
        #expect(problem.resource == sample.resource)
        #expect(problem.condition == ConditionType.accepted)
        #expect(problem.message.hasPrefix(entry.reason))
        #expect(problem.description.contains("\(sample.resource): \(sample.path): "))
        let accepted = translation.statuses.first { $0.id == sample.resource }?.conditions.first { $0.type == ConditionType.accepted }
        #expect(accepted?.status == false && accepted?.reason == "UnsupportedValue")
        #expect(accepted?.message.contains(sample.path) == true)
        let gateway = try #require(translation.gateways.first)
        switch entry.kind {
        case .gateway:
            #expect(gateway.config == nil, "a refused gateway renders nothing, so its last ConfigMap stays")
            #expect(ConfigMapBuilder.configMap(gateway) == nil)
        case .route:
            #expect(gateway.config?.routes.map(\.name) == ["r.rest"], "the rule is left out, the rest is served")
        default:
            #expect(translation.warnings.isEmpty)
        }
    }

    @Test func defaultsAndSwitchedOffFeaturesAreAccepted() throws {
        let translation = try Self.translate(Self.manifests(gateway: ", authentication: {allowAnonymous: true}, accessLog: {enabled: true, sampleRate: 1}",
                                                            rule: ", cache: {enabled: false}"))
        #expect(translation.problems.isEmpty, "\(translation.problems)")
        #expect(translation.gateways.first?.config?.routes.map(\.name) == ["r.main", "r.rest"])
    }
}

private extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
