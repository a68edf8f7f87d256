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

    /// The conditions whose status became `False` (or that are new and `False`) in `merged`
    /// compared with `existing`: what deserves a Warning Event.
    package static func newFailures(existing: [Condition], merged: [Condition]) -> [Condition] {
        merged.filter { condition in
            condition.status == "False" && condition.type != ConditionType.notYetTranslated
                && existing.first(where: { $0.type == condition.type })?.status != "False"
        }
    }
}
