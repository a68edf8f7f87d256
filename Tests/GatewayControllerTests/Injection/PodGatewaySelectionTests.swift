import ProxyCore
import Testing
@testable import GatewayController

@Suite struct PodGatewaySelectionTests {
    func gateway(_ name: String, _ selector: String, namespace: String = "team-a", configMapName: String? = nil) throws -> LLMGateway {
        let extra = configMapName.map { #","configMapName":"\#($0)""# } ?? ""
        let text = #"{"apiVersion":"sluice.dev/v1alpha1","kind":"LLMGateway","metadata":{"name":"\#(name)","namespace":"\#(namespace)"},"spec":{"podSelector":\#(selector),"listeners":{"app":5000,"admin":5001,"metrics":5090}\#(extra)}}"#
        let set = ResourceSet.decode([try JSONParser.parse(Array(text.utf8))])
        return try #require(set.gateways.first)
    }

    @Test func selectorsFollowKubernetesSemantics() throws {
        let g = try gateway("g", #"{"matchLabels":{"app":"chat"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"canary","operator":"DoesNotExist"},{"key":"team","operator":"Exists"},{"key":"env","operator":"NotIn","values":["dev"]}]}"#)
        #expect(g.selects(podLabels: ["app": "chat", "tier": "a", "team": "x"]))
        #expect(g.selects(podLabels: ["app": "chat", "tier": "b", "team": "x", "env": "prod"]))
        #expect(!g.selects(podLabels: ["app": "chat", "tier": "c", "team": "x"]))
        #expect(!g.selects(podLabels: ["app": "chat", "tier": "a"]))
        #expect(!g.selects(podLabels: ["app": "chat", "tier": "a", "team": "x", "canary": "1"]))
        #expect(!g.selects(podLabels: ["app": "chat", "tier": "a", "team": "x", "env": "dev"]))
        #expect(!g.selects(podLabels: ["app": "other", "tier": "a", "team": "x"]))
    }

    @Test func settingsComeFromTheSelectingGatewayAndItsConfigMap() throws {
        let gateways = [try gateway("main", #"{"matchLabels":{"app":"chat"}}"#, configMapName: "sluice-main"),
                        try gateway("elsewhere", #"{"matchLabels":{"app":"chat"}}"#, namespace: "team-b")]
        let configMap = try JSONParser.parse(Array(#"{"metadata":{"annotations":{"sluice.dev/secret-mounts":"[{\"secret\":\"k\",\"key\":\"openai\",\"path\":\"k/openai\"}]"}}}"#.utf8))
        var base = InjectionSettings(configMapName: "")
        base.image = "registry.example/sluice:dev"
        let result = PodGatewaySelection.settings(namespace: "team-a", podLabels: ["app": "chat"], gateways: gateways,
                                                  configMap: { $0 == "team-a" && $1 == "sluice-main" ? configMap : nil }, base: base)
        let settings = try result.get()
        #expect(settings.configMapName == "sluice-main")
        #expect(settings.secretMounts == [.init(secret: "k", key: "openai", path: "k/openai")])
        #expect(settings.image == "registry.example/sluice:dev")
        #expect(settings.appPort == 5000 && settings.adminPort == 5001 && settings.metricsPort == 5090)

        let missing = PodGatewaySelection.settings(namespace: "team-a", podLabels: ["app": "chat"], gateways: gateways,
                                                   configMap: { _, _ in nil }, base: base)
        guard case .failure(let reason) = missing else { Issue.record("expected no settings without the ConfigMap"); return }
        #expect(reason.reason.contains("sluice-main") && reason.reason.contains("does not exist"))

        let two = gateways + [try gateway("second", #"{"matchExpressions":[{"key":"app","operator":"Exists"}]}"#)]
        guard case .failure(let ambiguous) = PodGatewaySelection.settings(namespace: "team-a", podLabels: ["app": "chat"], gateways: two,
                                                                          configMap: { _, _ in configMap }, base: base) else {
            Issue.record("expected an ambiguity")
            return
        }
        #expect(ambiguous.reason.contains(#""main" and "second""#))
    }

    @Test func imagePullPolicyIsSetOnlyWhenConfigured() throws {
        let pod = try JSONParser.parse(Array(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app","image":"x"}]}}"#.utf8))
        var settings = InjectionSettings(configMapName: "sluice-main")
        guard case .injected(let plain, _) = WorkloadInjector.inject(pod, settings: settings) else { Issue.record("not injected"); return }
        #expect(plain.value(at: ["spec", "initContainers"])?.array?.first?.value(at: ["imagePullPolicy"]) == nil)
        settings.imagePullPolicy = "Always"
        guard case .injected(let pulled, _) = WorkloadInjector.inject(pod, settings: settings) else { Issue.record("not injected"); return }
        let sidecar = try #require(pulled.value(at: ["spec", "initContainers"])?.array?.first?.object)
        #expect(sidecar["imagePullPolicy"] == .string("Always"))
        #expect(sidecar.keys.firstIndex(of: "imagePullPolicy") == sidecar.keys.firstIndex(of: "image")! + 1)
    }
}
