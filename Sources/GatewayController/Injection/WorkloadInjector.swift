import ProxyCore

/// Finds the pod template inside a Kubernetes object (Pod, Deployment, StatefulSet, DaemonSet,
/// ReplicaSet, Job, CronJob) and injects there; other kinds pass through untouched.
package enum WorkloadInjector {
    package enum Outcome: Equatable, Sendable {
        case injected(JSONValue)
        case unchanged(reason: String)
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

    /// Injects unless the pod template opts out with `sluice.dev/inject: disabled`
    /// (explicit injection, as `sluice-controller inject` does, needs no opt-in).
    package static func inject(_ object: JSONValue, settings: InjectionSettings) -> Outcome {
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
        guard let injected = SidecarInjector.inject(template: template, settings: settings) else {
            return .unchanged(reason: "already injected")
        }
        if path.isEmpty { return .injected(injected) }
        var result = object
        result.setValue(injected, at: path)
        return .injected(result)
    }
}
