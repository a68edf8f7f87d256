/// Merges the conditions the controller wants into those a resource has: by type, keeping
/// `lastTransitionTime` when the status did not change (Kubernetes API conventions; envoy
/// gateway's `status/conditions.go`). Pure.
package enum ConditionSet {
    /// The merged list: `desired` in its order (each with `observedGeneration` and, when its
    /// status changed or it is new, `lastTransitionTime = now`), then conditions of types the
    /// controller does not own, unchanged. Owned types absent from `desired` are dropped.
    package static func merge(existing: [Condition], desired: [DesiredCondition], observedGeneration: Int, now: String,
                              owned: Set<String> = ConditionType.owned) -> [Condition] {
        var result: [Condition] = []
        for want in desired {
            let previous = existing.first { $0.type == want.type }
            let changed = previous?.status != want.statusText
            result.append(Condition(type: want.type, status: want.statusText, reason: want.reason, message: want.message,
                                    observedGeneration: observedGeneration,
                                    lastTransitionTime: changed ? now : previous!.lastTransitionTime))
        }
        let desiredTypes = Set(desired.map(\.type))
        for condition in existing where !owned.contains(condition.type) && !desiredTypes.contains(condition.type) {
            result.append(condition)
        }
        return result
    }

    /// The conditions of `merged` that are `False` for a reason `existing` did not give — new,
    /// turned `False`, or `False` for another reason (`NoRoutes` becoming `ConfigMapWriteFailed`
    /// is news to whoever runs `kubectl describe`): what deserves a Warning Event.
    package static func newFailures(existing: [Condition], merged: [Condition]) -> [Condition] {
        merged.filter { condition in
            guard condition.status == "False", condition.type != ConditionType.notYetTranslated else { return false }
            guard let before = existing.first(where: { $0.type == condition.type }), before.status == "False" else { return true }
            return before.reason != condition.reason
        }
    }
}
