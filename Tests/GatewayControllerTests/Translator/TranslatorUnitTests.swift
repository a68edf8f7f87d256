import KubeYAML
import ProxyCore
import Testing
@testable import GatewayController

@Suite struct TranslatorUnitTests {
    func spec(_ labels: [String: String], _ expressions: [LLMGateway.LabelRequirement] = []) -> LLMGateway.Spec {
        var spec = LLMGateway.Spec()
        spec.matchLabels = labels
        spec.matchExpressions = expressions
        return spec
    }

    @Test func selectorsOverlapUnlessALabelIsConstrainedToDisjointValues() {
        #expect(NamespaceTranslation.selectorsMayOverlap(spec(["app": "a"]), spec(["app": "a", "tier": "x"])))
        #expect(!NamespaceTranslation.selectorsMayOverlap(spec(["app": "a"]), spec(["app": "b"])))
        #expect(!NamespaceTranslation.selectorsMayOverlap(spec(["app": "a"]), spec([:], [.init(key: "app", op: "In", values: ["b", "c"])])))
        #expect(NamespaceTranslation.selectorsMayOverlap(spec(["app": "a"]), spec([:], [.init(key: "app", op: "In", values: ["a", "c"])])))
        #expect(!NamespaceTranslation.selectorsMayOverlap(spec(["app": "a"]), spec([:], [.init(key: "app", op: "DoesNotExist", values: [])])))
        #expect(NamespaceTranslation.selectorsMayOverlap(spec(["app": "a"]), spec([:], [.init(key: "app", op: "NotIn", values: ["a"])])),
                "conservative: NotIn never rules an overlap out")
    }

    @Test func crdDurationsFollowTheSchemaPattern() {
        for good in ["250ms", "2s", "1m30s", "1.5s", "1h", "10ns", "3us"] { #expect(SpecDecoding.isCRDDuration(good), "\(good)") }
        for bad in ["", "30", "1.s", "s", "1d", "1 s", "-1s", "1µs"] { #expect(!SpecDecoding.isCRDDuration(bad), "\(bad)") }
    }

    @Test func decodingAppliesTheAPIServersDefaults() throws {
        let documents = try YAMLReader.readDocuments("""
            apiVersion: sluice.dev/v1alpha1
            kind: LLMRoute
            metadata: {name: r}
            spec:
              parentRefs: [{name: gw}]
              rules: [{backendRefs: [{name: b}], retry: {}, fallback: {chain: [{backendRef: {name: c}}]}}]
            ---
            apiVersion: sluice.dev/v1alpha1
            kind: LLMBackend
            metadata: {name: b, namespace: other}
            spec: {provider: anthropic, url: "https://x/v1", credentials: {secretRef: {name: s}}}
            """)
        let set = ResourceSet.decode(documents, defaultNamespace: "team")
        let rule = try #require(set.routes.first?.spec.rules.first)
        #expect(set.routes.first?.meta.namespace == "team")
        #expect(rule.name == "0")
        #expect(rule.backendRefs == [LLMRoute.BackendRef(name: "b", weight: 1, model: nil)])
        #expect(rule.retry?.statuses == [.code(429), .code(502), .code(503), .code(504)])
        #expect(rule.retry?.maxAttemptsPerRequest == 5)
        #expect(rule.fallback?.statuses == [.code(429), .statusClass(5)])
        #expect(rule.fallback?.connectFailure == true)
        #expect(set.backends.first?.meta.namespace == "other")
        #expect(set.backends.first?.spec.credentials == [SecretKeyRef(name: "s", key: "api-key")])
    }

    @Test func everyBadStatusIsReportedAndAMissingParentRefsOnce() throws {
        let documents = try YAMLReader.readDocuments("""
            apiVersion: sluice.dev/v1alpha1
            kind: LLMRoute
            metadata: {name: r}
            spec:
              rules: [{backendRefs: [{name: b}], retry: {statuses: ["3xx", 429, 200]}}]
            """)
        let set = ResourceSet.decode(documents)
        let issues = try #require(set.rejected.first).issues.map(\.description)
        #expect(issues == [
            "spec.parentRefs: required field is missing",
            #"spec.rules[0].retry.statuses[0]: "3xx" is not a status code from 400 to 599 or "4xx" or "5xx""#,
            #"spec.rules[0].retry.statuses[2]: 200 is not a status code from 400 to 599 or "4xx" or "5xx""#,
        ])
    }

    @Test func secretsAreReadForTheirKeyNamesOnly() {
        let secret = JSONValue.obj([("apiVersion", .str("v1")), ("kind", .str("Secret")),
                                    ("metadata", .obj([("name", .str("s")), ("namespace", .str("n"))])),
                                    ("data", .obj([("b", .str("c2VjcmV0"))])), ("stringData", .obj([("a", .str("plain"))]))])
        let set = ResourceSet.decode([secret])
        #expect(set.secrets.first?.keys == ["a", "b"])
        #expect(String(describing: set.secrets).contains("c2VjcmV0") == false)
    }

    @Test func configMapCarriesOwnerLabelsAndSecretMounts() throws {
        let documents = try YAMLReader.readDocuments("""
            apiVersion: v1
            kind: Secret
            metadata: {name: key, namespace: n}
            data: {api-key: eA==}
            ---
            apiVersion: sluice.dev/v1alpha1
            kind: LLMGateway
            metadata: {name: gw, namespace: n, uid: u-1}
            spec: {podSelector: {matchLabels: {app: x}}, listeners: {app: 7000}}
            ---
            apiVersion: sluice.dev/v1alpha1
            kind: LLMBackend
            metadata: {name: b, namespace: n}
            spec: {provider: openai, url: "https://x/v1", credentials: {secretRef: {name: key}}}
            ---
            apiVersion: sluice.dev/v1alpha1
            kind: LLMRoute
            metadata: {name: r, namespace: n}
            spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: b}]}]}
            """)
        let translation = GatewayTranslator.translate(ResourceSet.decode(documents))
        let rendered = try #require(translation.gateways.first)
        let configMap = try #require(ConfigMapBuilder.configMap(rendered, identity: "replica-1"))
        let metadata = configMap.field("metadata")
        #expect(metadata?.field("name")?.string == "sluice-gw")
        #expect(metadata?.field("labels")?.field("app.kubernetes.io/managed-by")?.string == "sluice-controller")
        #expect(metadata?.field("annotations")?.field("sluice.dev/written-by")?.string == "replica-1")
        #expect(metadata?.field("annotations")?.field("sluice.dev/secret-mounts")?.string
                == #"[{"key":"api-key","path":"key/api-key","secret":"key"}]"#)
        #expect(metadata?.field("ownerReferences")?.array?.first?.field("uid")?.string == "u-1")
        #expect(rendered.config?.listeners.app.description == "127.0.0.1:7000")
        #expect(rendered.config?.listeners.metrics.description == "0.0.0.0:4090")
        #expect(rendered.config?.backends.first?.credentials?.files == ["key/api-key"])
        // Up to date whoever wrote it last; not once the data differs.
        let other = try #require(ConfigMapBuilder.configMap(rendered, identity: "replica-2"))
        #expect(ConfigMapBuilder.isUpToDate(configMap, desired: other))
        var changed = try #require(configMap.object)
        changed["data"] = .obj([("config.json", .str("{}"))])
        #expect(!ConfigMapBuilder.isUpToDate(.object(changed), desired: other))
    }
}
