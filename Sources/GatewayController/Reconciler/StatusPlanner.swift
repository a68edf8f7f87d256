import ProxyCore

/// A status write the reconciler should make: a JSON merge patch for the `/status`
/// subresource, and the conditions that turned `False` (each worth a Warning Event).
package struct StatusUpdate: Sendable {
    package var id: ResourceID
    package var patch: JSONValue
    package var newFailures: [Condition]
}

/// Decides which statuses to write: pure, so it is tested without an API server.
package enum StatusPlanner {
    /// For each desired status whose object exists in `existing` (keyed by id, as the
    /// informer cache holds it), the update to make — none when the object already says it.
    /// `writeFailures` maps a gateway name to why its ConfigMap could not be written and what
    /// happens next; the `Programmed` condition of the resources it holds then says so.
    package static func updates(_ desired: [DesiredStatus], existing: [ResourceID: JSONValue], writeFailures: [String: String],
                                now: String) -> [StatusUpdate] {
        var updates: [StatusUpdate] = []
        for status in desired {
            guard let object = existing[status.id] else { continue }
            let current = object.field("status")
            let currentConditions = (current?.field("conditions")?.array ?? []).compactMap(Condition.init(json:))
            var conditions = status.conditions
            if let failed = status.gateways.first(where: { writeFailures[$0] != nil }), let index = conditions.firstIndex(where: { $0.type == ConditionType.programmed }) {
                conditions[index] = DesiredCondition(type: ConditionType.programmed, status: false, reason: "ConfigMapWriteFailed",
                                                     message: "the ConfigMap of LLMGateway \(SpecDecoding.quoted(failed)) could not be written: \(writeFailures[failed]!)")
            }
            let generation = object.field("metadata")?.field("generation")?.int ?? status.generation
            let merged = ConditionSet.merge(existing: currentConditions, desired: conditions, observedGeneration: generation, now: now)
            var fields: [(String, JSONValue)] = [("observedGeneration", .num(generation)), ("conditions", .array(merged.map(\.jsonValue)))]
            fields += status.fields.map { ($0.key, $0.value) }
            var unchanged = current?.field("observedGeneration")?.int == generation && currentConditions == merged
            for field in status.fields where current?.field(field.key) != field.value { unchanged = false }
            // Gateway fields that no longer apply (e.g. configMapName once nothing renders) are removed.
            for stale in ["configMapName", "attachedRoutes", "backends", "keys"] where current?.field(stale) != nil
                && !status.fields.contains(where: { $0.key == stale }) {
                fields.append((stale, .null))
                unchanged = false
            }
            if unchanged { continue }
            updates.append(StatusUpdate(id: status.id, patch: .obj([("status", .obj(fields))]),
                                        newFailures: ConditionSet.newFailures(existing: currentConditions, merged: merged)))
        }
        return updates
    }
}
