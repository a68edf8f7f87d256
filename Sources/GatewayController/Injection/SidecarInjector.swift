import ProxyCore

/// Adds the Sluice sidecar to a pod template (`{metadata, spec}`), the way Istio and Linkerd
/// users expect: a native sidecar by default, volumes mounted read-only, probes on the
/// metrics port, a locked-down security context, base URLs for the app containers,
/// Prometheus annotations. Pure and idempotent: injecting twice changes nothing.
package enum SidecarInjector {
    package static let versionAnnotation = "sluice.dev/injected-version"
    package static let nativeSidecarAnnotation = "sluice.dev/native-sidecar"

    /// The pod template with the sidecar, or nil when it already has one.
    package static func inject(template: JSONValue, settings: InjectionSettings) -> JSONValue? {
        let annotations = stringMap(template.value(at: ["metadata", "annotations"]))
        let containers = template.value(at: ["spec", "containers"])?.array ?? []
        let initContainers = template.value(at: ["spec", "initContainers"])?.array ?? []
        let named = { (c: JSONValue) in c.value(at: ["name"])?.string == InjectionSettings.containerName }
        if annotations[versionAnnotation] != nil || containers.contains(where: named) || initContainers.contains(where: named) {
            return nil
        }
        var pod = template
        let native = annotations[nativeSidecarAnnotation] != "false"
        let sidecar = container(settings: settings, annotations: annotations, native: native)

        let appContainers = containers.map { withBaseURLs($0, settings: settings) }
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
        pod.setValue(.array(volumes), at: ["spec", "volumes"])

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
        return pod
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

    /// `OPENAI_BASE_URL` and `ANTHROPIC_BASE_URL` pointing at the sidecar, unless already set.
    private static func withBaseURLs(_ container: JSONValue, settings: InjectionSettings) -> JSONValue {
        var env = container.value(at: ["env"])?.array ?? []
        let existing = Set(env.compactMap { $0.value(at: ["name"])?.string })
        for (name, value) in [("OPENAI_BASE_URL", "http://127.0.0.1:\(settings.appPort)/v1"),
                              ("ANTHROPIC_BASE_URL", "http://127.0.0.1:\(settings.appPort)")] where !existing.contains(name) {
            env.append(.object(JSONObject([("name", .string(name)), ("value", .string(value))])))
        }
        var container = container
        container.setValue(.array(env), at: ["env"])
        return container
    }

    /// One projected volume with every Secret key the config refers to, at its path.
    private static func secretsVolume(_ mounts: [InjectionSettings.SecretMount]) -> JSONValue {
        var order: [String] = []
        var items: [String: [JSONValue]] = [:]
        for mount in mounts {
            if items[mount.secret] == nil { order.append(mount.secret) }
            items[mount.secret, default: []].append(.object(JSONObject([("key", .string(mount.key)), ("path", .string(mount.path))])))
        }
        let sources: [JSONValue] = order.map { secret in
            .object(JSONObject([("secret", .object(JSONObject([("name", .string(secret)), ("items", .array(items[secret]!))])))]))
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
