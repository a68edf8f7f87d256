import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 7: consumers and guard policies

    mutating func attachConsumersAndGuards() {
        for consumer in resources.consumers.sorted(by: { $0.meta.name < $1.meta.name }) {
            let consumerID = id(.consumer, consumer.meta.name)
            let parents = attach(consumerID, parentRefs: consumer.spec.parentRefs)
            consumerParents[consumer.meta.name] = parents
            for parent in parents { gateways[parent]?.consumers.append(consumer.meta.name) }
            if let secret = resources.secrets.first(where: { $0.meta.name == consumer.spec.keysSecret }) {
                if secret.keys.isEmpty {
                    problem(consumerID, ConditionType.resolvedRefs, "NoKeys", path: "spec.credentials.secretRef.name",
                            "Secret \(SpecDecoding.quoted(secret.meta.name)) holds no keys; add one entry per API key")
                }
            } else {
                problem(consumerID, ConditionType.resolvedRefs, "SecretNotFound", path: "spec.credentials.secretRef.name",
                        "Secret \(SpecDecoding.quoted(consumer.spec.keysSecret)) does not exist in namespace \(SpecDecoding.quoted(namespace)); create it or fix the name")
            }
            warn(consumerID, path: "spec", "the proxy config has no consumers yet: keys are not checked and allowedModels, rateLimits and quotas are not enforced")
        }
        for name in gateways.keys.sorted() where !(gateways[name]!.consumers.isEmpty) && !gateways[name]!.gateway.spec.allowAnonymous {
            warn(id(.gateway, name), path: "spec.authentication",
                 "LLMConsumers are attached, but the sidecar does not check consumer keys yet: every request is admitted anonymously")
        }
        for policy in resources.guardPolicies.sorted(by: { $0.meta.name < $1.meta.name }) {
            let policyID = id(.guardPolicy, policy.meta.name)
            for (ruleIndex, rule) in policy.spec.rules.enumerated() {
                for (index, pattern) in rule.regex.enumerated() {
                    if let message = ConfigIssue.regexProblem(pattern) {
                        problem(policyID, ConditionType.accepted, "Invalid", path: "spec.rules[\(ruleIndex)].match.regex[\(index)]", message)
                    }
                }
            }
            warn(policyID, path: "spec", "the sidecar does not run guard policies yet: prompts and answers are not checked")
        }
    }

    /// Whether the guard policy `name` exists and its regexes compile.
    func guardPolicyIsValid(_ name: String) -> Bool {
        guard let policy = resources.guardPolicies.first(where: { $0.meta.name == name }) else { return false }
        return policy.spec.rules.allSatisfy { rule in rule.regex.allSatisfy { ConfigIssue.regexProblem($0) == nil } }
    }
}
