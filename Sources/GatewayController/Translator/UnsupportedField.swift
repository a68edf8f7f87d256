import ProxyCore

/// A field the CRDs accept but the sidecar does not enforce yet.
///
/// Nothing is accepted that is not enforced: a resource that uses one of these is refused
/// (`Accepted=False`, reason `UnsupportedValue`, naming the field), `validate` and `render`
/// exit 1, and the generated ConfigMap never silently lacks what the resource asked for. A
/// route rule that uses one is left out (ADR 0005); a gateway that uses one (LLMConsumers
/// attached, access-log settings) renders nothing, so its last ConfigMap stays as it
/// was. `all` is the one list: when the sidecar implements a feature, deleting its entry makes
/// the field accepted.
package struct UnsupportedField: Sendable {
    /// What one field is checked on.
    enum Subject {
        /// A gateway and the LLMConsumers attached to it.
        case gateway(LLMGateway.Spec, consumers: [String])
        /// One rule of an LLMRoute.
        case rule(LLMRoute.Rule)
        case consumer(LLMConsumer.Spec)
        case guardPolicy(LLMGuardPolicy.Spec)
    }

    package let kind: ResourceKind
    /// The field as docs/crds.md names it, e.g. `spec.redis` or `spec.rules[].guardPolicyRef`.
    package let field: String
    /// What the sidecar does not do yet.
    package let reason: String
    /// Whether `subject` uses the field (a subject of another kind never does).
    let isUsed: @Sendable (Subject) -> Bool

    /// Every field accepted by the CRDs and not enforced by the sidecar, in docs order.
    package static let all: [UnsupportedField] = [
        gateway("spec.accessLog.enabled", "the sidecar's access log cannot be turned off from the gateway yet (only by the sidecar's --no-access-log flag)") { spec, _ in
            !spec.accessLogEnabled
        },
        gateway("spec.accessLog.sampleRate", "the sidecar's access log cannot be sampled from the gateway yet (only by the sidecar's --access-log-sample-rate flag)") { spec, _ in
            spec.accessLogSampleRate.double != 1
        },
        guardPolicy("spec.rules[].match.caseSensitive", "the sidecar matches keywords case-insensitively only") { spec in
            spec.rules.contains { $0.caseSensitive }
        },
    ]

    /// The entries `subject` uses: its kind's, in table order.
    static func used(by subject: Subject) -> [UnsupportedField] { all.filter { $0.isUsed(subject) } }

    /// A rule entry's field with the rule's index filled in: `spec.rules[].guardPolicyRef` → `spec.rules[2].guardPolicyRef`.
    func path(rule index: Int) -> String {
        "spec.rules[\(index)]" + field.dropFirst(Self.rulePrefix.count)
    }

    private static let rulePrefix = "spec.rules[]"


    private static func gateway(_ field: String, _ reason: String,
                                _ uses: @escaping @Sendable (LLMGateway.Spec, [String]) -> Bool) -> UnsupportedField {
        UnsupportedField(kind: .gateway, field: field, reason: reason) { subject in
            if case .gateway(let spec, let consumers) = subject { uses(spec, consumers) } else { false }
        }
    }

    private static func rule(_ field: String, _ reason: String, _ uses: @escaping @Sendable (LLMRoute.Rule) -> Bool) -> UnsupportedField {
        precondition(field.hasPrefix(rulePrefix), "a rule entry's field starts with \(rulePrefix)")
        return UnsupportedField(kind: .route, field: field, reason: reason) { subject in
            if case .rule(let rule) = subject { uses(rule) } else { false }
        }
    }

    private static func guardPolicy(_ field: String, _ reason: String,
                                    _ uses: @escaping @Sendable (LLMGuardPolicy.Spec) -> Bool) -> UnsupportedField {
        UnsupportedField(kind: .guardPolicy, field: field, reason: reason) { subject in
            if case .guardPolicy(let spec) = subject { uses(spec) } else { false }
        }
    }
}
