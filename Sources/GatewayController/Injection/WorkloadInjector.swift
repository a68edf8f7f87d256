import ProxyCore

/// Finds the pod template inside a Kubernetes object (Pod, Deployment, StatefulSet, DaemonSet,
/// ReplicaSet, Job, CronJob) and injects there; other kinds pass through untouched.
package enum WorkloadInjector {
    /// What injecting an object gives. The webhook and `sluice-controller inject` act on it
    /// the same way: `skipped` and the `warnings` are shown, `refused` fails the object.
    package enum Outcome: Equatable, Sendable {
        /// The object with the sidecar, and what the user should know about how it was added.
        case injected(JSONValue, warnings: [String])
        /// Nothing to do and nothing to say: not a workload, opted out, already injected.
        case unchanged(reason: String)
        /// The pod asked for the sidecar but cannot safely have it: left as it is, with the reason.
        case skipped(reason: String)
        /// The sidecar would break the pod, or the pod's injection settings are wrong: nothing
        /// is added and the object is refused with the reason.
        case refused(reason: String)
    }

    /// The path of the pod template for a kind, or nil for kinds that hold no pods.
    package static func templatePath(forKind kind: String) -> [String]? {
        switch kind {
        case "Pod": []
        case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController": ["spec", "template"]
        case "CronJob": ["spec", "jobTemplate", "spec", "template"]
        default: nil
        }
    }

    /// What is decided before a gateway is chosen: `unchanged` or `skipped` for objects that
    /// will not be injected whatever the gateway, nil for those that need its settings.
    /// Explicit injection, as `sluice-controller inject` does, needs no opt-in; an opt-out
    /// (`sluice.dev/inject: disabled`) always wins.
    package static func screen(_ object: JSONValue) -> Outcome? {
        guard let kind = object.value(at: ["kind"])?.string, let path = templatePath(forKind: kind) else {
            return .unchanged(reason: "not a workload")
        }
        guard let template = path.isEmpty ? object : object.value(at: path), template.value(at: ["spec"]) != nil else {
            return .unchanged(reason: "\(kind) has no pod template")
        }
        let labels = SidecarInjector.stringMap(template.value(at: ["metadata", "labels"]))
        let annotations = SidecarInjector.stringMap(template.value(at: ["metadata", "annotations"]))
        if (annotations[InjectionDecision.key] ?? labels[InjectionDecision.key]) == "disabled" {
            return .unchanged(reason: "opted out with \(InjectionDecision.key)=disabled")
        }
        if SidecarInjector.isInjected(template) {
            return .unchanged(reason: "already injected")
        }
        // As Istio and Linkerd: the pod's network is the node's, so the sidecar's listeners
        // (the metrics one on 0.0.0.0) would be the node's ports, shared by every such pod.
        if template.value(at: ["spec", "hostNetwork"]) == .bool(true) {
            return .skipped(reason: "the pod uses hostNetwork: the sidecar's ports would be the node's ports, so such pods are never injected")
        }
        return nil
    }

    /// Injects the object's pod template with `settings`, unless `screen` already decides.
    /// `envSources` are the ConfigMaps and Secrets the caller can see in the object's namespace.
    package static func inject(_ object: JSONValue, settings: InjectionSettings, envSources: EnvSources = .none) -> Outcome {
        if let decided = screen(object) { return decided }
        // `screen` returned nil: the kind has a template path and the template is there.
        let path = templatePath(forKind: object.value(at: ["kind"])?.string ?? "") ?? []
        let template = path.isEmpty ? object : object.value(at: path) ?? object
        switch SidecarInjector.inject(template: template, settings: settings, envSources: envSources) {
        case .injected(let injected, let warnings):
            if path.isEmpty { return .injected(injected, warnings: warnings) }
            var result = object
            result.setValue(injected, at: path)
            return .injected(result, warnings: warnings)
        case let other:
            return other
        }
    }
}
