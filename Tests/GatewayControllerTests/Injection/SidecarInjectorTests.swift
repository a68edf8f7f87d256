import ProxyCore
import Testing
@testable import GatewayController

/// What injection must not break (issue 15 item 2): hostNetwork pods, ports the app already
/// uses, the app's own base URLs, the sidecar's drain on shutdown.
@Suite struct SidecarInjectorTests {
    func pod(_ spec: String, annotations: String = "{}") throws -> JSONValue {
        try JSONParser.parse(Array(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":\#(annotations)},"spec":\#(spec)}"#.utf8))
    }

    func injected(_ object: JSONValue, settings: InjectionSettings = goldenSettings,
                  sources: EnvSources = .none) throws -> (pod: JSONValue, warnings: [String]) {
        let outcome = WorkloadInjector.inject(object, settings: settings, envSources: sources)
        guard case .injected(let pod, let warnings) = outcome else {
            Issue.record("expected an injection, got \(outcome)")
            throw SidecarInjector.Refusal(reason: "not injected")
        }
        return (pod, warnings)
    }

    func env(_ pod: JSONValue, container: String) -> [String: String] {
        let found = pod.value(at: ["spec", "containers"])?.array?.first { $0.value(at: ["name"])?.string == container }
        var env: [String: String] = [:]
        for entry in found?.value(at: ["env"])?.array ?? [] {
            env[entry.value(at: ["name"])?.string ?? ""] = entry.value(at: ["value"])?.string
        }
        return env
    }

    @Test func theSidecarGetsOneWritableDirectoryForAuditFilesAndAPodsOwnVolumeOfThatNameIsKept() throws {
        let (plain, _) = try injected(try pod(#"{"containers":[{"name":"app","image":"x"}]}"#))
        let sidecar = try #require(plain.value(at: ["spec", "initContainers"])?.array?.first)
        let mounts = sidecar.value(at: ["volumeMounts"])?.array ?? []
        let writable = mounts.filter { $0.value(at: ["readOnly"]) != .bool(true) }
        #expect(writable.map { $0.value(at: ["mountPath"])?.string } == [InjectionSettings.auditDirectory], "the only writable mount")
        #expect(writable.first?.value(at: ["name"])?.string == InjectionSettings.auditVolume)
        #expect(sidecar.value(at: ["securityContext", "readOnlyRootFilesystem"]) == .bool(true))
        let volume = plain.value(at: ["spec", "volumes"])?.array?.first { $0.value(at: ["name"])?.string == InjectionSettings.auditVolume }
        #expect(volume?.value(at: ["emptyDir", "sizeLimit"])?.string == "64Mi")

        let own = try pod(#"{"containers":[{"name":"app","image":"x"}],"volumes":[{"name":"sluice-audit","persistentVolumeClaim":{"claimName":"audit"}}]}"#)
        let (kept, _) = try injected(own)
        let volumes = kept.value(at: ["spec", "volumes"])?.array?.filter { $0.value(at: ["name"])?.string == InjectionSettings.auditVolume } ?? []
        #expect(volumes.count == 1 && volumes[0].value(at: ["persistentVolumeClaim", "claimName"])?.string == "audit")
    }

    @Test func hostNetworkPodsAreSkippedWithTheReasonWhateverTheGateway() throws {
        let host = try pod(#"{"hostNetwork":true,"containers":[{"name":"app","image":"x"}]}"#)
        guard case .skipped(let reason)? = WorkloadInjector.screen(host) else {
            Issue.record("hostNetwork was not skipped")
            return
        }
        #expect(reason.contains("hostNetwork"))
        #expect(WorkloadInjector.inject(host, settings: goldenSettings) == .skipped(reason: reason))
        #expect(WorkloadInjector.screen(try pod(#"{"hostNetwork":false,"containers":[{"name":"app","image":"x"}]}"#)) == nil)
    }

    @Test(arguments: [(4000, "app"), (4001, "admin"), (4090, "metrics")])
    func aContainerOnASidecarPortIsRefusedNamingItAndThePort(port: Int, listener: String) throws {
        let clash = try pod(#"{"initContainers":[{"name":"setup","image":"s"}],"containers":[{"name":"app","image":"x"},{"name":"litellm","image":"l","ports":[{"containerPort":\#(port)}]}]}"#)
        guard case .refused(let reason) = WorkloadInjector.inject(clash, settings: goldenSettings) else {
            Issue.record("a port clash on \(port) was injected")
            return
        }
        #expect(reason.hasPrefix(#"container "litellm" already uses port \#(port)"#))
        #expect(reason.contains("spec.listeners.\(listener)"))
    }

    @Test func portsFollowTheGatewayAndOnlyTCPClashes() throws {
        var moved = goldenSettings
        (moved.appPort, moved.adminPort, moved.metricsPort) = (5000, 5001, 5090)
        let app = try pod(#"{"containers":[{"name":"app","image":"x","ports":[{"containerPort":4000},{"containerPort":4090,"protocol":"UDP"}]}]}"#)
        _ = try injected(app, settings: moved)
        _ = try injected(try pod(#"{"containers":[{"name":"app","image":"x","ports":[{"containerPort":4000,"protocol":"UDP"}]}]}"#))
        let initClash = try pod(#"{"initContainers":[{"name":"setup","image":"s","ports":[{"containerPort":5001}]}],"containers":[{"name":"app","image":"x"}]}"#)
        guard case .refused(let reason) = WorkloadInjector.inject(initClash, settings: moved) else {
            Issue.record("an init container's port was not checked")
            return
        }
        #expect(reason.contains(#"container "setup" already uses port 5001"#))
    }

    @Test func otherToolsSidecarsGetNoBaseURLs() throws {
        let mesh = try pod(#"{"containers":[{"name":"app","image":"x"},{"name":"istio-proxy","image":"i"},{"name":"linkerd-proxy","image":"l"},{"name":"daprd","image":"d"}]}"#)
        let (result, warnings) = try injected(mesh)
        #expect(env(result, container: "app")["OPENAI_BASE_URL"] == "http://127.0.0.1:4000/v1")
        for sidecar in ["istio-proxy", "linkerd-proxy", "daprd"] {
            #expect(result.value(at: ["spec", "containers"])?.array?.first { $0.value(at: ["name"])?.string == sidecar }?.value(at: ["env"]) == nil)
        }
        #expect(warnings.isEmpty)
    }

    @Test func theAppContainersAnnotationNamesExactlyWhichContainersGetTheBaseURLs() throws {
        let spec = #"{"containers":[{"name":"app","image":"x"},{"name":"istio-proxy","image":"i"}]}"#
        let (result, _) = try injected(try pod(spec, annotations: #"{"sluice.dev/app-containers":" istio-proxy "}"#))
        #expect(env(result, container: "app").isEmpty)
        #expect(env(result, container: "istio-proxy")["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:4000")
        let typo = try pod(spec, annotations: #"{"sluice.dev/app-containers":"app,ap"}"#)
        guard case .refused(let reason) = WorkloadInjector.inject(typo, settings: goldenSettings) else {
            Issue.record("an annotation naming no container was accepted")
            return
        }
        #expect(reason.contains(#"names "ap", which is not a container of the pod (containers: app, istio-proxy)"#))
    }

    @Test func envFromSourcesDecideWhenVisibleAndAreLeftAloneWithAWarningWhenNot() throws {
        let reader = try pod(#"{"containers":[{"name":"app","image":"x","envFrom":[{"configMapRef":{"name":"settings"}},{"secretRef":{"name":"keys"},"prefix":"APP_"}]}]}"#)
        // Nothing visible (the webhook): the ConfigMap may set both; the prefixed Secret cannot.
        var (result, warnings) = try injected(reader)
        #expect(env(result, container: "app").isEmpty)
        #expect(result.value(at: ["spec", "containers", "0", "env"]) == nil)
        #expect(warnings == [#"container "app" gets no OPENAI_BASE_URL, ANTHROPIC_BASE_URL: its envFrom ConfigMap "settings" may set them and the injector cannot see it; set them in the container's env to decide"#])
        // Visible and setting one: that one is the app's; the other is added.
        (result, warnings) = try injected(reader, sources: EnvSources(configMaps: ["settings": ["OPENAI_BASE_URL"]]))
        #expect(env(result, container: "app") == ["ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"])
        #expect(warnings.isEmpty)
        // Visible without them: both added.
        (result, warnings) = try injected(reader, sources: EnvSources(configMaps: ["settings": ["LOG_LEVEL"]]))
        #expect(Set(env(result, container: "app").keys) == ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"])
        #expect(warnings.isEmpty)
        // A prefix that makes the variable: APP_ + OPENAI_BASE_URL is not ours, but "" + … would be.
        let prefixed = try pod(#"{"containers":[{"name":"app","image":"x","envFrom":[{"secretRef":{"name":"keys"},"prefix":"OPENAI_"}]}]}"#)
        (result, warnings) = try injected(prefixed, sources: EnvSources(secrets: ["keys": ["BASE_URL"]]))
        #expect(env(result, container: "app") == ["ANTHROPIC_BASE_URL": "http://127.0.0.1:4000"])
    }

    @Test func visibleSourcesAreTheConfigMapsAndSecretsOfThePodsNamespace() throws {
        let objects = try [
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"team-a"},"data":{"X":"1"},"binaryData":{"Y":"AA=="}}"#,
            #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"Z":"1"},"data":{"W":"MQ=="}}"#,
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"team-b"},"data":{"X":"1"}}"#,
            #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc"}}"#,
        ].map { try JSONParser.parse(Array($0.utf8)) }
        let sources = EnvSources.visible(in: objects, namespace: "team-a", defaultNamespace: "team-a")
        #expect(sources == EnvSources(configMaps: ["a": ["X", "Y"]], secrets: ["s": ["Z", "W"]]))
    }

    @Test func theGracePeriodIsRaisedAboveTheDrainTimeoutWhenLowerAndKeptWhenHigher() throws {
        let spec = { (grace: String) in #"{\#(grace)"containers":[{"name":"app","image":"x"}]}"# }
        var (result, warnings) = try injected(try pod(spec("")))
        #expect(result.value(at: ["spec", "terminationGracePeriodSeconds"]) == .number(JSONNumber(45)))
        #expect(warnings.isEmpty)
        (result, warnings) = try injected(try pod(spec(#""terminationGracePeriodSeconds":30,"#)))
        #expect(result.value(at: ["spec", "terminationGracePeriodSeconds"]) == .number(JSONNumber(45)))
        #expect(warnings == ["terminationGracePeriodSeconds raised from 30 to 45: the sidecar drains for up to 30s after the app stops"])
        (result, warnings) = try injected(try pod(spec(#""terminationGracePeriodSeconds":45,"#)))
        #expect(result.value(at: ["spec", "terminationGracePeriodSeconds"]) == .number(JSONNumber(45)) && warnings.isEmpty)
        (result, warnings) = try injected(try pod(spec(#""terminationGracePeriodSeconds":600,"#)))
        #expect(result.value(at: ["spec", "terminationGracePeriodSeconds"]) == .number(JSONNumber(600)) && warnings.isEmpty)
    }
}
