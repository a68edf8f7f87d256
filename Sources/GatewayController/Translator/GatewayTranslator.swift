import ProxyCore

/// Turns Sluice resources into one proxy config per LLMGateway, and says what is wrong with
/// each resource. Pure: no I/O, no clock; the same input gives the same bytes.
///
/// Works namespace by namespace (references never cross namespaces) in named passes over an
/// intermediate representation, like envoy gateway's translator:
///
/// 1. `rejectInvalid` — resources whose spec could not be decoded get `Accepted=False`;
/// 2. `resolveGateways` — listeners, defaults, pod selector and ConfigMap name conflicts;
/// 3. `resolveBackends` — each backend's config entry and the Secret keys it needs;
/// 4. `attachRoutes` — `parentRefs` to gateways of the route's own namespace;
/// 5. `buildRules` — regexes, weights and every reference of every rule;
/// 6. `placeRules` — splits in precedence order (docs/crds.md), one config route per match;
/// 7. `attachConsumersAndGuards` — consumers' gateways and keys, guard policies' regexes;
/// 8. `refuseUnsupported` — gateways, consumers and guard policies using a field the sidecar
///    does not enforce yet (`UnsupportedField`; rules using one are refused in pass 5);
/// 9. `renderConfigs` — IR → `ProxyConfig` values, checked by `ProxyConfigDecoder.validate`,
///    encoded by `ProxyConfigEncoder` (canonical JSON);
/// 10. `buildStatuses` — the conditions of every resource.
///
/// Every problem is collected with the resource it belongs to. A rule with a problem (a
/// broken reference, a bad regex, all weights 0…) is skipped, reported on its route, and the
/// rest of the gateway's config is still rendered: one team's typo must not block another
/// team's change, and a rule is never half-applied (e.g. a 90/10 split silently becoming
/// 100/0 because one backend is missing). A gateway left with no valid rule, or refused for a
/// field the sidecar does not enforce, renders nothing, and the reconciler then keeps its last
/// ConfigMap.
package enum GatewayTranslator {
    package static func translate(_ resources: ResourceSet) -> Translation {
        var translation = Translation()
        translation.unnamedProblems = resources.unnamedProblems
        for namespace in resources.namespaces {
            var passes = NamespaceTranslation(resources: resources.inNamespace(namespace), namespace: namespace)
            passes.run()
            translation.gateways += passes.rendered
            translation.statuses += passes.statuses
            translation.problems += passes.problems
            translation.warnings += passes.warnings
        }
        translation.gateways.sort { $0.id < $1.id }
        translation.statuses.sort { $0.id < $1.id }
        translation.problems = stableSorted(translation.problems)
        translation.warnings = stableSorted(translation.warnings)
        return translation
    }

    private static func stableSorted(_ problems: [TranslationProblem]) -> [TranslationProblem] {
        problems.enumerated().sorted { ($0.element.resource, $0.offset) < ($1.element.resource, $1.offset) }.map(\.element)
    }
}

/// The IR of one gateway while the passes run.
struct GatewayIR {
    var gateway: LLMGateway
    var placements: [RulePlacement] = []
    var attachedRoutes: Set<String> = []
    var consumers: [String] = []
    /// Uses a field the sidecar does not enforce: nothing is rendered.
    var refused = false
    /// `spec.redis` in config terms, and the Secret keys it names.
    var redis: RedisConfig?
    var redisMounts: [SecretMount] = []
}

/// The IR of a usable backend: its config entry and the Secret keys that entry names.
struct BackendIR {
    var backend: LLMBackend
    var config: BackendConfig
    var mounts: [SecretMount]
}

/// Why a backend name cannot be used by a rule.
enum BackendRefProblem {
    case notFound
    case notAccepted
    case unresolved(reason: String, message: String)
}

/// An accepted rule whose references all resolved.
struct RuleIR {
    var route: LLMRoute
    var index: Int
    var rule: LLMRoute.Rule
    var gateways: [String]
}

/// One place of a rule in a gateway's ordered route list: the rule once per match.
struct RulePlacement {
    var rule: RuleIR
    var matchIndex: Int?
    var configName: String

    var match: LLMRoute.Match? { matchIndex.map { rule.rule.matches[$0] } }
}

/// The passes over one namespace. See `GatewayTranslator`.
struct NamespaceTranslation {
    let resources: ResourceSet
    let namespace: String

    var problems: [TranslationProblem] = []
    var warnings: [TranslationProblem] = []

    var gateways: [String: GatewayIR] = [:]
    var gatewayNames: Set<String> = []
    var backends: [String: BackendIR] = [:]
    var backendProblems: [String: BackendRefProblem] = [:]
    var rules: [RuleIR] = []
    var skippedRules: [String: [String]] = [:]
    var routeParents: [String: [String]] = [:]
    var gatewaysUsingBackend: [String: Set<String>] = [:]
    /// The gateways whose rendered config holds each consumer (pass 9).
    var gatewaysWithConsumer: [String: Set<String>] = [:]
    /// The gateways whose rendered config holds each guard policy (pass 9).
    var gatewaysWithGuard: [String: Set<String>] = [:]
    var guardPolicyUsers: [String: Set<String>] = [:]
    var consumerParents: [String: [String]] = [:]
    var rendered: [RenderedGateway] = []
    var statuses: [DesiredStatus] = []

    init(resources: ResourceSet, namespace: String) {
        self.resources = resources
        self.namespace = namespace
    }

    mutating func run() {
        rejectInvalid()
        resolveGateways()
        resolveBackends()
        attachRoutes()
        buildRules()
        placeRules()
        attachConsumersAndGuards()
        refuseUnsupported()
        renderConfigs()
        buildStatuses()
    }

    mutating func problem(_ id: ResourceID, _ condition: String, _ reason: String, path: String = "", _ message: String) {
        problems.append(TranslationProblem(id, condition, reason, path: path, message))
    }

    mutating func warn(_ id: ResourceID, path: String, _ message: String) {
        warnings.append(TranslationProblem(id, ConditionType.notYetTranslated, "UnsupportedFields", path: path, message))
    }

    func id(_ kind: ResourceKind, _ name: String) -> ResourceID { ResourceID(kind, namespace, name) }

    // MARK: Pass 1

    mutating func rejectInvalid() {
        for rejected in resources.rejected {
            for issue in rejected.issues {
                problem(rejected.id, ConditionType.accepted, rejected.reason, path: issue.path, issue.message)
            }
        }
    }

    func isRejected(_ kind: ResourceKind, _ name: String) -> Bool {
        resources.rejected.contains { $0.id == id(kind, name) && $0.reason == "Invalid" }
    }
}
