import ProxyCore

/// Adds the Sluice sidecar to a pod template (`{metadata, spec}`), the way Istio and Linkerd
/// users expect: a native sidecar by default, config and secrets mounted read-only (and a small
/// writable `emptyDir` for guard audit files), probes on the
/// metrics port, a locked-down security context, base URLs for the app containers, a grace
/// period long enough for the sidecar to drain, Prometheus annotations. Pure and idempotent:
/// injecting twice changes nothing.
package enum SidecarInjector {
    package static let versionAnnotation = "sluice.dev/injected-version"
    package static let nativeSidecarAnnotation = "sluice.dev/native-sidecar"

    /// Why a pod cannot get the sidecar as it is (a port clash, a wrong annotation).
    package struct Refusal: Error, Equatable, Sendable {
        package var reason: String
        package init(reason: String) { self.reason = reason }
    }

    /// Whether the pod template already has the sidecar (the annotation or the container).
    package static func isInjected(_ template: JSONValue) -> Bool {
        let named = { (c: JSONValue) in c.value(at: ["name"])?.string == InjectionSettings.containerName }
        return stringMap(template.value(at: ["metadata", "annotations"]))[versionAnnotation] != nil
            || (template.value(at: ["spec", "containers"])?.array ?? []).contains(where: named)
            || (template.value(at: ["spec", "initContainers"])?.array ?? []).contains(where: named)
    }

    /// The pod template with the sidecar (`injected`), `unchanged` when it already has one, or
    /// `refused` when a container already uses one of the sidecar's ports or the
    /// `sluice.dev/app-containers` annotation names a container the pod does not have.
    package static func inject(template: JSONValue, settings: InjectionSettings, envSources: EnvSources) -> WorkloadInjector.Outcome {
        if isInjected(template) { return .unchanged(reason: "already injected") }
        let appNames: Set<String>
        do {
            try checkPorts(template, settings: settings)
            appNames = try AppContainers.names(in: template)
        } catch {
            return .refused(reason: error.reason)
        }
        let annotations = stringMap(template.value(at: ["metadata", "annotations"]))
        let containers = template.value(at: ["spec", "containers"])?.array ?? []
        let initContainers = template.value(at: ["spec", "initContainers"])?.array ?? []
        var pod = template
        var warnings: [String] = []
        let native = annotations[nativeSidecarAnnotation] != "false"
        let sidecar = container(settings: settings, annotations: annotations, native: native)

        let appContainers = containers.map { container in
            appNames.contains(container.value(at: ["name"])?.string ?? "")
                ? withBaseURLs(container, settings: settings, envSources: envSources, warnings: &warnings) : container
        }
        if native {
            // First among init containers, so later init containers can already call out (Kubernetes ≥ 1.29).
            pod.setValue(.array([sidecar] + initContainers), at: ["spec", "initContainers"])
            pod.setValue(.array(appContainers), at: ["spec", "containers"])
        } else {
            // First: the kubelet starts regular containers in order.
            pod.setValue(.array([sidecar] + appContainers), at: ["spec", "containers"])
        }

        var volumes = template.value(at: ["spec", "volumes"])?.array ?? []
        let volumeNames = Set(volumes.compactMap { $0.value(at: ["name"])?.string })
        if !volumeNames.contains(InjectionSettings.configVolume) {
            volumes.append(.object(JSONObject([
                ("name", .string(InjectionSettings.configVolume)),
                ("configMap", .object(JSONObject([("name", .string(settings.configMapName))]))),
            ])))
        }
        if !volumeNames.contains(InjectionSettings.secretsVolume) {
            volumes.append(secretsVolume(settings.secretMounts))
        }
        if !volumeNames.contains(InjectionSettings.auditVolume) {
            volumes.append(.object(JSONObject([
                ("name", .string(InjectionSettings.auditVolume)),
                ("emptyDir", .object(JSONObject([("sizeLimit", .string(InjectionSettings.auditSizeLimit))]))),
            ])))
        }
        pod.setValue(.array(volumes), at: ["spec", "volumes"])
        if let warning = raiseGracePeriod(&pod, settings: settings) { warnings.append(warning) }

        var newAnnotations = template.value(at: ["metadata", "annotations"])?.object ?? JSONObject()
        newAnnotations[versionAnnotation] = .string(InjectionSettings.version)
        // The app's own Prometheus annotations win: they describe the app's metrics.
        if newAnnotations["prometheus.io/scrape"] == nil {
            newAnnotations["prometheus.io/scrape"] = .string("true")
            newAnnotations["prometheus.io/port"] = .string(String(settings.metricsPort))
            newAnnotations["prometheus.io/path"] = .string("/metrics")
        }
        if !native, newAnnotations["kubectl.kubernetes.io/default-container"] == nil,
           let first = containers.first?.value(at: ["name"])?.string {
            newAnnotations["kubectl.kubernetes.io/default-container"] = .string(first)
        }
        pod.setValue(.object(newAnnotations), at: ["metadata", "annotations"])
        return .injected(pod, warnings: warnings)
    }

    /// Refuses a pod with a container that declares one of the sidecar's ports: the two
    /// share the pod's network, so one of them could not listen. Only `ports[].containerPort`
    /// can be checked; a port an app opens without declaring it is not seen.
    private static func checkPorts(_ template: JSONValue, settings: InjectionSettings) throws(Refusal) {
        let listeners = [(settings.appPort, "app"), (settings.adminPort, "admin"), (settings.metricsPort, "metrics")]
        let all = (template.value(at: ["spec", "initContainers"])?.array ?? []) + (template.value(at: ["spec", "containers"])?.array ?? [])
        for container in all {
            for port in container.value(at: ["ports"])?.array ?? [] {
                // The sidecar listens on TCP; a UDP or SCTP port of the same number does not clash.
                guard (port.value(at: ["protocol"])?.string ?? "TCP") == "TCP",
                      let number = port.value(at: ["containerPort"])?.int,
                      let listener = listeners.first(where: { $0.0 == number })?.1 else { continue }
                let name = container.value(at: ["name"])?.string ?? "(unnamed)"
                throw Refusal(reason: "container \(SpecDecoding.quoted(name)) already uses port \(number) (ports[].containerPort), "
                              + "which the sluice sidecar listens on (the LLMGateway's spec.listeners.\(listener)); "
                              + "move the container's port or the gateway's listener")
            }
        }
    }

    /// Raises `terminationGracePeriodSeconds` to what the sidecar needs to drain
    /// (`InjectionSettings.terminationGracePeriodSeconds`) when it is absent (Kubernetes'
    /// default, 30 s, is the drain timeout itself) or lower; a longer one is kept. Returns a
    /// warning when it replaced a value the pod had.
    private static func raiseGracePeriod(_ pod: inout JSONValue, settings: InjectionSettings) -> String? {
        let needed = settings.terminationGracePeriodSeconds
        let path = ["spec", "terminationGracePeriodSeconds"]
        switch pod.value(at: path) {
        case nil:
            pod.setValue(.number(JSONNumber(needed)), at: path)
            return nil
        case .number(let number)? where (number.int ?? Int.max) < needed:
            pod.setValue(.number(JSONNumber(needed)), at: path)
            return "terminationGracePeriodSeconds raised from \(number.literal) to \(needed): the sidecar drains "
                + "for up to \(settings.drainTimeoutSeconds)s after the app stops"
        default:
            return nil
        }
    }

    private static func container(settings: InjectionSettings, annotations: [String: String], native: Bool) -> JSONValue {
        func quantity(_ annotation: String, _ fallback: String) -> JSONValue { .string(annotations[annotation] ?? fallback) }
        func probe(_ path: String, period: Int, failures: Int) -> JSONValue {
            .object(JSONObject([
                ("httpGet", .object(JSONObject([("path", .string(path)), ("port", .number(JSONNumber(settings.metricsPort)))]))),
                ("periodSeconds", .number(JSONNumber(period))),
                ("failureThreshold", .number(JSONNumber(failures))),
            ]))
        }
        var object = JSONObject([
            ("name", .string(InjectionSettings.containerName)),
            ("image", .string(annotations["sluice.dev/proxy-image"] ?? settings.image)),
            ("args", .array(["--config-dir", "/etc/sluice/config", "--secrets-dir", "/etc/sluice/secrets",
                             "--drain-timeout", "\(settings.drainTimeoutSeconds)s"].map { .string($0) })),
            ("ports", .array([.object(JSONObject([
                ("name", .string("sluice-metrics")),
                ("containerPort", .number(JSONNumber(settings.metricsPort))),
                ("protocol", .string("TCP")),
            ]))])),
            ("volumeMounts", .array([
                .object(JSONObject([("name", .string(InjectionSettings.configVolume)), ("mountPath", .string("/etc/sluice/config")), ("readOnly", .bool(true))])),
                .object(JSONObject([("name", .string(InjectionSettings.secretsVolume)), ("mountPath", .string("/etc/sluice/secrets")), ("readOnly", .bool(true))])),
                // The only writable path of the read-only root filesystem: guard audit files.
                .object(JSONObject([("name", .string(InjectionSettings.auditVolume)), ("mountPath", .string(InjectionSettings.auditDirectory))])),
            ])),
            ("startupProbe", probe("/readyz", period: 1, failures: 30)),
            ("readinessProbe", probe("/readyz", period: 5, failures: 2)),
            ("livenessProbe", probe("/healthz", period: 10, failures: 3)),
            ("resources", .object(JSONObject([
                ("requests", .object(JSONObject([("cpu", quantity("sluice.dev/proxy-cpu-request", settings.cpuRequest)),
                                                  ("memory", quantity("sluice.dev/proxy-memory-request", settings.memoryRequest))]))),
                ("limits", .object(JSONObject([("cpu", quantity("sluice.dev/proxy-cpu-limit", settings.cpuLimit)),
                                                ("memory", quantity("sluice.dev/proxy-memory-limit", settings.memoryLimit))]))),
            ]))),
            ("securityContext", .object(JSONObject([
                ("runAsNonRoot", .bool(true)),
                ("runAsUser", .number(JSONNumber(65532))),
                ("readOnlyRootFilesystem", .bool(true)),
                ("allowPrivilegeEscalation", .bool(false)),
                ("capabilities", .object(JSONObject([("drop", .array([.string("ALL")]))]))),
                ("seccompProfile", .object(JSONObject([("type", .string("RuntimeDefault"))]))),
            ]))),
        ])
        if let policy = settings.imagePullPolicy {
            // Right after `image`, where kubectl prints it.
            let at = (object.members.firstIndex { $0.key == "image" } ?? 0) + 1
            object.members.insert((key: "imagePullPolicy", value: .string(policy)), at: at)
        }
        if native {
            // A native sidecar starts before the app and stops after it (Kubernetes ≥ 1.29).
            object["restartPolicy"] = .string("Always")
        } else {
            // A classic sidecar gets SIGTERM with the app; waiting first lets the app finish its calls.
            object["lifecycle"] = .object(JSONObject([("preStop", .object(JSONObject([
                ("exec", .object(JSONObject([("command", .array([.string("/bin/sleep"), .string("5")]))]))),
            ])))]))
        }
        return .object(object)
    }

    /// `OPENAI_BASE_URL` and `ANTHROPIC_BASE_URL` pointing at the sidecar, unless the container
    /// sets them itself, in `env` or through an `envFrom` source that has them. A source the
    /// injector cannot see may set them: they are then left alone, with a warning.
    private static func withBaseURLs(_ container: JSONValue, settings: InjectionSettings, envSources: EnvSources,
                                     warnings: inout [String]) -> JSONValue {
        var env = container.value(at: ["env"])?.array ?? []
        let existing = Set(env.compactMap { $0.value(at: ["name"])?.string })
        let envFrom = container.value(at: ["envFrom"])?.array ?? []
        var leftAlone: [String] = []
        var unseen: String?
        var added = false
        for (name, value) in [("OPENAI_BASE_URL", "http://127.0.0.1:\(settings.appPort)/v1"),
                              ("ANTHROPIC_BASE_URL", "http://127.0.0.1:\(settings.appPort)")] where !existing.contains(name) {
            switch envSources.setting(of: name, envFrom: envFrom) {
            case .set:
                continue
            case .maybe(let source):
                leftAlone.append(name)
                unseen = unseen ?? source
            case .unset:
                env.append(.object(JSONObject([("name", .string(name)), ("value", .string(value))])))
                added = true
            }
        }
        if let unseen {
            let name = container.value(at: ["name"])?.string ?? "(unnamed)"
            warnings.append("container \(SpecDecoding.quoted(name)) gets no \(leftAlone.joined(separator: ", ")): its envFrom \(unseen) "
                            + "may set \(leftAlone.count == 1 ? "it" : "them") and the injector cannot see it; "
                            + "set \(leftAlone.count == 1 ? "it" : "them") in the container's env to decide")
        }
        guard added else { return container }
        var container = container
        container.setValue(.array(env), at: ["env"])
        return container
    }

    /// One projected volume with every Secret key the config refers to, at its path. Keys
    /// that may disappear (consumer keys) come from a source of their own marked optional, so a
    /// key removed from its Secret leaves the volume (and the pod) working.
    private static func secretsVolume(_ mounts: [InjectionSettings.SecretMount]) -> JSONValue {
        struct Source: Hashable { let secret: String; let optional: Bool }
        var order: [Source] = []
        var items: [Source: [JSONValue]] = [:]
        for mount in mounts {
            let source = Source(secret: mount.secret, optional: mount.optional)
            if items[source] == nil { order.append(source) }
            items[source, default: []].append(.object(JSONObject([("key", .string(mount.key)), ("path", .string(mount.path))])))
        }
        let sources: [JSONValue] = order.map { source in
            var secret = JSONObject([("name", .string(source.secret)), ("items", .array(items[source]!))])
            if source.optional { secret["optional"] = .bool(true) }
            return .object(JSONObject([("secret", .object(secret))]))
        }
        return .object(JSONObject([
            ("name", .string(InjectionSettings.secretsVolume)),
            ("projected", .object(JSONObject([("sources", .array(sources))]))),
        ]))
    }

    static func stringMap(_ value: JSONValue?) -> [String: String] {
        var map: [String: String] = [:]
        for (key, item) in value?.object?.members ?? [] {
            if case .string(let text) = item { map[key] = text }
        }
        return map
    }
}
