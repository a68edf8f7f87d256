import ProxyCore

extension NamespaceTranslation {
    /// The `guards[]` of a gateway's config: one per LLMGuardPolicy its rules use, checking the
    /// config routes placed from those rules. The policies are valid (pass 5 left out rules
    /// whose policy is not), so every value maps.
    static func guardConfigs(_ placements: [RulePlacement], policies: [LLMGuardPolicy]) -> [GuardConfig] {
        var routesByPolicy: [String: [String]] = [:]
        for placement in placements {
            guard let name = placement.rule.rule.guardPolicy else { continue }
            routesByPolicy[name, default: []].append(placement.configName)
        }
        return routesByPolicy.keys.sorted().compactMap { name in
            guard let policy = policies.first(where: { $0.meta.name == name }) else { return nil }
            return guardConfig(policy, routes: routesByPolicy[name]!)
        }
    }

    /// The Secret keys the guards of a gateway's config send to their moderation services.
    static func guardMounts(_ guards: [GuardConfig], policies: [LLMGuardPolicy]) -> [SecretMount] {
        guards.compactMap { guardConfig in policies.first { $0.meta.name == guardConfig.name } }
            .flatMap { $0.spec.rules.compactMap(\.moderationSecret) }
            .map { SecretMount(secret: $0.name, key: $0.key) }
    }

    static func guardConfig(_ policy: LLMGuardPolicy, routes: [String]) -> GuardConfig {
        let spec = policy.spec
        let rules = spec.rules.map { rule in
            let action: GuardAction = switch rule.action {
            case "redact": .redact(replacement: rule.replacement ?? GuardAction.defaultReplacement)
            case "log": .log
            default: .block(message: rule.message ?? GuardAction.defaultMessage)
            }
            // Pass 7 refused a policy whose URL does not parse.
            let moderation = rule.moderationURL.flatMap { try? BackendURL.parse($0).get() }.map {
                GuardModerationConfig(url: $0, timeout: rule.moderationTimeout ?? GuardModerationConfig.defaultTimeout,
                                      failMode: GuardFailMode(rawValue: rule.moderationFailMode) ?? .closed,
                                      streamWindow: rule.moderationStreamWindow ?? GuardModerationConfig.defaultStreamWindow,
                                      thresholds: rule.moderationThresholds,
                                      credentials: rule.moderationSecret.map {
                                          GuardModerationCredentials(file: SecretMount(secret: $0.name, key: $0.key).path, header: rule.moderationHeader)
                                      })
            }
            return GuardRuleConfig(name: rule.name, phase: GuardPhase(rawValue: rule.phase) ?? .request, keywords: rule.keywords,
                                   regexes: rule.regex, detectors: rule.detectors.compactMap(GuardDetector.init(rawValue:)),
                                   moderation: moderation, action: action)
        }
        let blocked: GuardBlockedResponse = spec.blockedMode == "error" ? .error(status: spec.blockedStatusCode ?? 400) : .completion
        return GuardConfig(name: policy.meta.name, routes: routes, rules: rules,
                           messages: GuardMessageScope(roles: spec.roles.compactMap(GuardMessageRole.init(rawValue:)), lastOnly: spec.scope == "last"),
                           blockedResponse: blocked, auditFile: spec.auditFile)
    }
}
