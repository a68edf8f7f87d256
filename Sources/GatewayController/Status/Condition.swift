import ProxyCore

/// One status condition in the shape of `metav1.Condition`.
package struct Condition: Hashable, Sendable {
    package var type: String
    /// `"True"`, `"False"` or `"Unknown"`.
    package var status: String
    package var reason: String
    package var message: String
    package var observedGeneration: Int
    /// RFC 3339; when `status` last changed.
    package var lastTransitionTime: String

    package init(type: String, status: String, reason: String, message: String, observedGeneration: Int, lastTransitionTime: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }

    /// Reads a condition from a status object; nil when a required field is missing.
    package init?(json: JSONValue) {
        guard let type = json.field("type")?.string, let status = json.field("status")?.string else { return nil }
        self.init(type: type, status: status, reason: json.field("reason")?.string ?? "", message: json.field("message")?.string ?? "",
                  observedGeneration: json.field("observedGeneration")?.int ?? 0,
                  lastTransitionTime: json.field("lastTransitionTime")?.string ?? "")
    }

    package var jsonValue: JSONValue {
        .obj([("type", .str(type)), ("status", .str(status)), ("reason", .str(reason)), ("message", .str(message)),
              ("observedGeneration", .num(observedGeneration)), ("lastTransitionTime", .str(lastTransitionTime))])
    }
}

/// The condition types the controller owns; others on a resource are left alone.
package enum ConditionType {
    package static let accepted = "Accepted"
    package static let resolvedRefs = "ResolvedRefs"
    package static let programmed = "Programmed"
    /// A warning: fields the proxy config cannot express yet, which the sidecar therefore ignores.
    package static let notYetTranslated = "NotYetTranslated"

    package static let owned: Set<String> = [accepted, resolvedRefs, programmed, notYetTranslated]
}

/// A condition as the translator wants it, before it is merged with what the resource has.
package struct DesiredCondition: Hashable, Sendable {
    package var type: String
    package var status: Bool
    package var reason: String
    package var message: String

    package init(type: String, status: Bool, reason: String, message: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }

    package var statusText: String { status ? "True" : "False" }
}
