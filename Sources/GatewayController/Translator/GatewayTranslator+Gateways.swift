import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 2: gateways

    mutating func resolveGateways() {
        let all = resources.gateways.sorted { $0.meta.name < $1.meta.name }
        gatewayNames = Set(all.map(\.meta.name))
        for gateway in all {
            let gatewayID = id(.gateway, gateway.meta.name)
            gateways[gateway.meta.name] = GatewayIR(gateway: gateway)
            if let redis = gateway.spec.redis { translateRedis(redis, of: gateway, id: gatewayID) }
            if gateway.spec.retryAttempts + 1 > RetryConfig.maxAttemptsLimit {
                warn(gatewayID, path: "spec.defaults.retry.attempts",
                     "the sidecar makes at most \(RetryConfig.maxAttemptsLimit) tries per backend, so \(RetryConfig.maxAttemptsLimit - 1) retries are used")
            }
        }
        // Two gateways writing one ConfigMap would overwrite each other: the later name loses.
        var configMapOwners: [String: String] = [:]
        for gateway in all {
            let name = gateway.configMapName
            if let owner = configMapOwners[name] {
                problem(id(.gateway, gateway.meta.name), ConditionType.accepted, "ConfigMapConflict", path: "spec.configMapName",
                        "LLMGateway \(SpecDecoding.quoted(owner)) already renders to ConfigMap \(SpecDecoding.quoted(name)); set a different spec.configMapName")
                gateways[gateway.meta.name] = nil
            } else {
                configMapOwners[name] = gateway.meta.name
            }
        }
        // Two gateways that may select one pod: reported on both (the injector cannot choose).
        for (index, first) in all.enumerated() {
            for second in all[(index + 1)...] where Self.selectorsMayOverlap(first.spec, second.spec) {
                for (gateway, other) in [(first, second), (second, first)] {
                    problem(id(.gateway, gateway.meta.name), ConditionType.accepted, "PodSelectorConflict", path: "spec.podSelector",
                            "a pod may be selected by both this gateway and LLMGateway \(SpecDecoding.quoted(other.meta.name)); make the selectors exclusive (e.g. a label with different values)")
                }
            }
        }
    }

    /// True unless some label key is constrained by both selectors to disjoint value sets
    /// (then no pod can match both). Conservative: `NotIn`/`Exists` never rule an overlap out.
    static func selectorsMayOverlap(_ a: LLMGateway.Spec, _ b: LLMGateway.Spec) -> Bool {
        func allowed(_ spec: LLMGateway.Spec) -> [String: Set<String>?] {
            // key → the values a matching pod may carry (nil inside: the label must be absent).
            var result: [String: Set<String>?] = [:]
            for (key, value) in spec.matchLabels { result[key] = .some([value]) }
            for requirement in spec.matchExpressions {
                switch requirement.op {
                case "In":
                    let values = Set(requirement.values)
                    if case .some(.some(let existing)) = result[requirement.key] {
                        result[requirement.key] = .some(existing.intersection(values))
                    } else {
                        result[requirement.key] = .some(values)
                    }
                case "DoesNotExist": result[requirement.key] = .some(nil)
                default: break
                }
            }
            return result
        }
        let left = allowed(a), right = allowed(b)
        for (key, leftValues) in left {
            guard let rightValues = right[key] else { continue }
            switch (leftValues, rightValues) {
            case (nil, nil): continue
            case (nil, _?), (_?, nil): return false
            case (let l?, let r?): if l.isDisjoint(with: r) { return false }
            }
        }
        return true
    }

    /// Reports a missing Secret or key on `owner`; true when the key exists.
    @discardableResult
    mutating func checkSecret(_ ref: SecretKeyRef, for owner: ResourceID, at path: String) -> Bool {
        guard let secret = resources.secrets.first(where: { $0.meta.name == ref.name }) else {
            problem(owner, ConditionType.resolvedRefs, "SecretNotFound", path: path + ".name",
                    "Secret \(SpecDecoding.quoted(ref.name)) does not exist in namespace \(SpecDecoding.quoted(namespace)); create it or fix the name")
            return false
        }
        guard secret.keys.contains(ref.key) else {
            let known = secret.keys.isEmpty ? "it has no keys" : "it has " + secret.keys.map(SpecDecoding.quoted).joined(separator: ", ")
            problem(owner, ConditionType.resolvedRefs, "SecretKeyNotFound", path: path + ".key",
                    "Secret \(SpecDecoding.quoted(ref.name)) has no key \(SpecDecoding.quoted(ref.key)) (\(known))")
            return false
        }
        return true
    }
}
