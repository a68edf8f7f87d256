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
        }
        for policy in resources.guardPolicies.sorted(by: { $0.meta.name < $1.meta.name }) {
            let policyID = id(.guardPolicy, policy.meta.name)
            for (ruleIndex, rule) in policy.spec.rules.enumerated() {
                for (index, pattern) in rule.regex.enumerated() {
                    if let message = ConfigIssue.regexProblem(pattern) {
                        problem(policyID, ConditionType.accepted, "Invalid", path: "spec.rules[\(ruleIndex)].match.regex[\(index)]", message)
                    }
                }
                if let url = rule.moderationURL, case .failure = BackendURL.parse(url) {
                    problem(policyID, ConditionType.accepted, "Invalid", path: "spec.rules[\(ruleIndex)].moderation.url",
                            "\(SpecDecoding.quoted(url)) is not a URL such as \"http://moderation:8080/v1/moderations\" (http or https, no user info, query or fragment)")
                }
                if let ref = rule.moderationSecret {
                    checkSecret(ref, for: policyID, at: "spec.rules[\(ruleIndex)].moderation.credentials.secretRef")
                }
            }
        }
    }

    /// The consumers `names` (attached to one gateway) as the proxy config carries them, with
    /// their key files: each key of a consumer's Secret at `consumers/<consumer>/<key>`, its
    /// `keysDirectory`. A consumer whose Secret is missing or empty is left out (its
    /// `ResolvedRefs` says why): its callers get 401 rather than unchecked access.
    func consumerConfigs(_ names: [String]) -> (configs: [ConsumerConfig], mounts: [SecretMount]) {
        var configs: [ConsumerConfig] = []
        var mounts: [SecretMount] = []
        for name in names.sorted() {
            guard let consumer = resources.consumers.first(where: { $0.meta.name == name }),
                  let secret = resources.secrets.first(where: { $0.meta.name == consumer.spec.keysSecret }), !secret.keys.isEmpty
            else { continue }
            let directory = "consumers/\(name)"
            configs.append(consumer.config(keysDirectory: directory))
            mounts += secret.keys.sorted().map { SecretMount(consumerKey: $0, of: secret.meta.name, in: directory) }
        }
        return (configs, mounts)
    }

    /// Reports each exact model name in a consumer's `allowedModels` that no route of the
    /// gateway serves (a typo would otherwise refuse the consumer silently). Globs are not checked.
    mutating func checkAllowedModels(_ consumers: [ConsumerConfig], config: ProxyConfig, gateway: String) {
        guard let table = try? RouteTable(config) else { return }
        for consumer in consumers {
            for (index, model) in (consumer.allowedModels ?? []).enumerated() where !model.contains(where: { "*?[".contains($0) }) {
                let routed = ["/v1/chat/completions", "/v1/completions", "/v1/messages", "/v1/embeddings"].contains {
                    table.route(path: $0, model: model, headers: HTTPHeaders(), random: 0) != nil
                }
                if !routed {
                    problem(id(.consumer, consumer.name), ConditionType.resolvedRefs, "UnknownModel", path: "spec.allowedModels[\(index)]",
                            "no route of LLMGateway \(SpecDecoding.quoted(gateway)) serves model \(SpecDecoding.quoted(model)); fix the name or add a route")
                }
            }
        }
    }

    // MARK: Pass 8: fields the sidecar does not enforce yet (rules: pass 5)

    /// Refuses every gateway, consumer and guard policy that uses an `UnsupportedField`. A
    /// refused gateway renders nothing, so its last ConfigMap stays as it was.
    mutating func refuseUnsupported() {
        for name in gateways.keys.sorted() {
            let ir = gateways[name]!
            for field in UnsupportedField.used(by: .gateway(ir.gateway.spec, consumers: ir.consumers)) {
                problem(id(.gateway, name), ConditionType.accepted, "UnsupportedValue", path: field.field,
                        "\(field.reason); the gateway's ConfigMap is not written or updated while it is set (the last one written stays)")
                gateways[name]!.refused = true
            }
        }
        for consumer in resources.consumers.sorted(by: { $0.meta.name < $1.meta.name }) {
            for field in UnsupportedField.used(by: .consumer(consumer.spec)) {
                problem(id(.consumer, consumer.meta.name), ConditionType.accepted, "UnsupportedValue", path: field.field,
                        "\(field.reason); the consumer is refused rather than left unenforced")
            }
        }
        for policy in resources.guardPolicies.sorted(by: { $0.meta.name < $1.meta.name }) {
            for field in UnsupportedField.used(by: .guardPolicy(policy.spec)) {
                problem(id(.guardPolicy, policy.meta.name), ConditionType.accepted, "UnsupportedValue", path: field.field,
                        "\(field.reason); the policy is refused rather than left unenforced")
            }
        }
    }

    /// Whether the guard policy `name` exists, its regexes compile and it uses no field the sidecar does not enforce.
    func guardPolicyIsValid(_ name: String) -> Bool {
        guard let policy = resources.guardPolicies.first(where: { $0.meta.name == name }) else { return false }
        return policy.spec.rules.allSatisfy { rule in
            rule.regex.allSatisfy { ConfigIssue.regexProblem($0) == nil }
                && rule.moderationURL.map { (try? BackendURL.parse($0).get()) != nil } ?? true
        } && UnsupportedField.used(by: .guardPolicy(policy.spec)).isEmpty
    }

    /// Whether every moderation Secret key the guard policy `name` sends exists: a rule whose
    /// policy's key is missing is left out rather than calling the service without it.
    func guardPolicySecretsResolve(_ name: String) -> Bool {
        guard let policy = resources.guardPolicies.first(where: { $0.meta.name == name }) else { return false }
        return policy.spec.rules.compactMap(\.moderationSecret).allSatisfy { ref in
            resources.secrets.contains { $0.meta.name == ref.name && $0.keys.contains(ref.key) }
        }
    }
}
