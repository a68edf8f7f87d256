import ProxyCore

extension LLMGateway {
    /// Whether `spec.podSelector` selects a pod with these labels, with Kubernetes'
    /// label-selector semantics (every `matchLabels` pair and every requirement must hold).
    /// The decoder refuses an empty selector, so a gateway never selects every pod.
    package func selects(podLabels labels: [String: String]) -> Bool {
        for (key, value) in spec.matchLabels where labels[key] != value { return false }
        for requirement in spec.matchExpressions {
            let value = labels[requirement.key]
            switch requirement.op {
            case "In": guard let value, requirement.values.contains(value) else { return false }
            case "NotIn": if let value, requirement.values.contains(value) { return false }
            case "Exists": if value == nil { return false }
            case "DoesNotExist": if value != nil { return false }
            default: return false
            }
        }
        return true
    }
}

/// Chooses the LLMGateway of a pod and turns it into `InjectionSettings`, for the webhook
/// (gateways and ConfigMaps from the controller's caches) and for `sluice-controller inject`
/// (from the manifests it reads, translated). Pure.
///
/// The pod's gateway is the one gateway of its namespace whose `podSelector` selects the
/// pod's labels. None, or several (the translator reports `PodSelectorConflict` on both),
/// means no injection: the reason says which. The sidecar mounts that gateway's ConfigMap
/// as the controller renders it: its name, and the Secret keys listed in its
/// `sluice.dev/secret-mounts` annotation; the ports come from the gateway's `listeners`.
package enum PodGatewaySelection {
    /// The gateways of `namespace` whose selector selects `podLabels`, sorted by name.
    package static func selecting(_ gateways: [LLMGateway], namespace: String, podLabels: [String: String]) -> [LLMGateway] {
        gateways.filter { $0.meta.namespace == namespace && $0.selects(podLabels: podLabels) }.sorted { $0.meta.name < $1.meta.name }
    }

    /// The settings for a pod of `namespace` with `podLabels`. `configMap(namespace, name)`
    /// returns the rendered ConfigMap object, or nil when it does not exist (yet).
    package static func settings(namespace: String, podLabels: [String: String], gateways: [LLMGateway],
                                 configMap: (String, String) -> JSONValue?,
                                 base: InjectionSettings) -> Result<InjectionSettings, AdmissionReviewHandler.NoGateway> {
        let selecting = selecting(gateways, namespace: namespace, podLabels: podLabels)
        guard let gateway = selecting.first else {
            let labels = podLabels.isEmpty ? "no labels" : "labels " + podLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return .failure(.init(reason: "no LLMGateway in namespace \(SpecDecoding.quoted(namespace)) selects a pod with \(labels)"))
        }
        guard selecting.count == 1 else {
            return .failure(.init(reason: "LLMGateways " + selecting.map { SpecDecoding.quoted($0.meta.name) }.joined(separator: " and ")
                                  + " in namespace \(SpecDecoding.quoted(namespace)) all select the pod; make their podSelectors exclusive"))
        }
        let name = gateway.configMapName
        guard let object = configMap(namespace, name) else {
            return .failure(.init(reason: "LLMGateway \(SpecDecoding.quoted(gateway.meta.name)) selects the pod, but its ConfigMap \(SpecDecoding.quoted(name)) does not exist (yet): the gateway has no valid config; see its status"))
        }
        let annotation = object.value(at: ["metadata", "annotations", ConfigMapBuilder.secretMountsAnnotation])?.string ?? "[]"
        guard let mounts = InjectionSettings.secretMounts(fromAnnotation: annotation) else {
            return .failure(.init(reason: "the \(ConfigMapBuilder.secretMountsAnnotation) annotation of ConfigMap \(SpecDecoding.quoted(name)) is not a list of {secret, key, path}"))
        }
        var settings = base
        settings.configMapName = name
        settings.secretMounts = mounts
        settings.appPort = gateway.spec.appPort
        settings.adminPort = gateway.spec.adminPort
        settings.metricsPort = gateway.spec.metricsPort
        return .success(settings)
    }

    /// The labels of a pod template (`{metadata, spec}`) or pod.
    package static func podLabels(of template: JSONValue) -> [String: String] {
        SidecarInjector.stringMap(template.value(at: ["metadata", "labels"]))
    }

    /// The namespace an object names, or nil.
    package static func namespace(of object: JSONValue) -> String? {
        object.value(at: ["metadata", "namespace"])?.string
    }

    /// The pod template of a workload (`kind` with one), or nil.
    package static func podTemplate(of object: JSONValue) -> JSONValue? {
        guard let kind = object.value(at: ["kind"])?.string, let path = WorkloadInjector.templatePath(forKind: kind) else { return nil }
        return path.isEmpty ? object : object.value(at: path)
    }

    /// A short name for messages: `Deployment team-a/chat`.
    package static func describe(_ object: JSONValue, defaultNamespace: String) -> String {
        let kind = object.value(at: ["kind"])?.string ?? "object"
        let name = object.value(at: ["metadata", "name"])?.string ?? object.value(at: ["metadata", "generateName"])?.string ?? "(unnamed)"
        return "\(kind) \(namespace(of: object) ?? defaultNamespace)/\(name)"
    }
}
