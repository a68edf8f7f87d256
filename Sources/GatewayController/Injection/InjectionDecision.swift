/// Whether a pod gets the sidecar, from the `sluice.dev/inject` label or annotation on the
/// pod (which wins) or its namespace: `enabled` opts in, `disabled` opts out.
package enum InjectionDecision: Equatable, Sendable {
    case inject
    case skip(reason: String)

    package static let key = "sluice.dev/inject"

    package static func decide(podLabels: [String: String], podAnnotations: [String: String],
                               namespaceLabels: [String: String]) -> InjectionDecision {
        if let value = podAnnotations[key] ?? podLabels[key] {
            return value == "enabled" ? .inject : .skip(reason: "the pod says \(key)=\(value)")
        }
        if let value = namespaceLabels[key] {
            return value == "enabled" ? .inject : .skip(reason: "the namespace says \(key)=\(value)")
        }
        return .skip(reason: "neither the pod nor its namespace opts in with \(key)=enabled")
    }
}
