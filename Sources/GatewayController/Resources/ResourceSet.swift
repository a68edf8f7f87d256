import ProxyCore

/// Every resource the translator reads, decoded: the objects of one or more namespaces as
/// the informer caches (or the files given to `render`) hold them.
///
/// Decoding never stops at the first problem: a resource whose spec breaks a rule is kept in
/// `rejected` with every issue, so it still gets a status and references to it say
/// "not accepted" rather than "not found".
package struct ResourceSet: Sendable {
    /// A resource that could not be decoded, or that repeats another's name.
    package struct Rejected: Hashable, Sendable {
        package var id: ResourceID
        package var generation: Int
        package var reason: String
        package var issues: [SpecIssue]
    }

    package var gateways: [LLMGateway] = []
    package var backends: [LLMBackend] = []
    package var routes: [LLMRoute] = []
    package var consumers: [LLMConsumer] = []
    package var guardPolicies: [LLMGuardPolicy] = []
    package var secrets: [SecretInfo] = []
    package var rejected: [Rejected] = []
    /// Problems with objects that cannot be named (no kind, no name): `source: message`.
    package var unnamedProblems: [String] = []
    /// The index in the decoded `objects` of each resource (of its first definition), so a
    /// problem can be traced back to where it was written.
    package var objectIndices: [ResourceID: Int] = [:]

    package init() {}

    /// Every namespace that holds a resource, sorted.
    package var namespaces: [String] {
        var names = Set<String>()
        gateways.forEach { names.insert($0.meta.namespace) }
        backends.forEach { names.insert($0.meta.namespace) }
        routes.forEach { names.insert($0.meta.namespace) }
        consumers.forEach { names.insert($0.meta.namespace) }
        guardPolicies.forEach { names.insert($0.meta.namespace) }
        secrets.forEach { names.insert($0.meta.namespace) }
        rejected.forEach { names.insert($0.id.namespace) }
        return names.sorted()
    }

    /// Decodes `objects` (any kinds; those the controller does not read are skipped).
    /// `sources` names each object for messages (`file.yaml#2`), when given.
    package static func decode(_ objects: [JSONValue], sources: [String]? = nil, defaultNamespace: String = "default") -> ResourceSet {
        var set = ResourceSet()
        var seen = Set<ResourceID>()
        for (index, object) in objects.enumerated() {
            let source = sources?[index] ?? "object \(index)"
            guard case .object = object else {
                set.unnamedProblems.append("\(source): expected an object, found \(SpecDecoding.found(object))")
                continue
            }
            let apiVersion = object.field("apiVersion")?.string
            let kindText = object.field("kind")?.string
            guard let kind = ResourceKind(apiVersion: apiVersion, kind: kindText) else {
                if apiVersion?.hasPrefix("sluice.dev/") == true || kindText.map({ ResourceKind(rawValue: $0) != nil && $0 != "Secret" }) == true {
                    set.unnamedProblems.append("\(source): \(kindText ?? "an object without kind") \(apiVersion.map { "of \($0)" } ?? "without apiVersion") is not supported; expected apiVersion sluice.dev/v1alpha1 and kind LLMGateway, LLMBackend, LLMRoute, LLMConsumer or LLMGuardPolicy")
                }
                continue
            }
            var decoding = SpecDecoding()
            guard let meta = ResourceMeta.decode(object.field("metadata"), defaultNamespace: defaultNamespace, decoding: &decoding) else {
                set.unnamedProblems.append("\(source): \(kind.kind): " + decoding.issues.map(\.description).joined(separator: "; "))
                continue
            }
            let id = ResourceID(kind, meta.namespace, meta.name)
            if seen.contains(id) {
                set.rejected.append(Rejected(id: id, generation: meta.generation, reason: "Duplicate",
                                             issues: [SpecIssue(path: "metadata.name", message: "\(id) is defined more than once (\(source) repeats it); the first definition is used")]))
                continue
            }
            seen.insert(id)
            set.objectIndices[id] = index
            if kind == .secret {
                set.secrets.append(SecretInfo(meta: meta, keys: SecretInfo.decodeKeys(object)))
                continue
            }
            if let members = object.object {
                for key in members.keys where !["apiVersion", "kind", "metadata", "spec", "status"].contains(key) {
                    decoding.report(key, SpecDecoding.unknownFieldMessage(key, allowed: ["apiVersion", "kind", "metadata", "spec", "status"]))
                }
            }
            let spec = object.field("spec")
            switch kind {
            case .gateway:
                if let decoded = LLMGateway.decodeSpec(spec, decoding: &decoding), decoding.issues.isEmpty { set.gateways.append(LLMGateway(meta: meta, spec: decoded)) }
            case .backend:
                if let decoded = LLMBackend.decodeSpec(spec, decoding: &decoding), decoding.issues.isEmpty { set.backends.append(LLMBackend(meta: meta, spec: decoded)) }
            case .route:
                if let decoded = LLMRoute.decodeSpec(spec, decoding: &decoding), decoding.issues.isEmpty { set.routes.append(LLMRoute(meta: meta, spec: decoded)) }
            case .consumer:
                if let decoded = LLMConsumer.decodeSpec(spec, decoding: &decoding), decoding.issues.isEmpty { set.consumers.append(LLMConsumer(meta: meta, spec: decoded)) }
            case .guardPolicy:
                if let decoded = LLMGuardPolicy.decodeSpec(spec, decoding: &decoding), decoding.issues.isEmpty {
                    set.guardPolicies.append(LLMGuardPolicy(meta: meta, spec: decoded))
                }
            case .secret:
                break
            }
            if !decoding.issues.isEmpty {
                set.rejected.append(Rejected(id: id, generation: meta.generation, reason: "Invalid", issues: decoding.issues))
            }
        }
        return set
    }

    /// The resources of one namespace.
    package func inNamespace(_ namespace: String) -> ResourceSet {
        var set = ResourceSet()
        set.gateways = gateways.filter { $0.meta.namespace == namespace }
        set.backends = backends.filter { $0.meta.namespace == namespace }
        set.routes = routes.filter { $0.meta.namespace == namespace }
        set.consumers = consumers.filter { $0.meta.namespace == namespace }
        set.guardPolicies = guardPolicies.filter { $0.meta.namespace == namespace }
        set.secrets = secrets.filter { $0.meta.namespace == namespace }
        set.rejected = rejected.filter { $0.id.namespace == namespace }
        return set
    }
}
