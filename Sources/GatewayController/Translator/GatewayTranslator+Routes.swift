import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 4: attach routes to gateways

    mutating func attachRoutes() {
        for route in resources.routes {
            routeParents[route.meta.name] = attach(id(.route, route.meta.name), parentRefs: route.spec.parentRefs)
        }
    }

    /// The accepted gateways `parentRefs` names; reports the others on `owner`.
    mutating func attach(_ owner: ResourceID, parentRefs: [ParentRef]) -> [String] {
        var parents: [String] = []
        for (index, ref) in parentRefs.enumerated() {
            let path = "spec.parentRefs[\(index)]"
            if let other = ref.namespace, other != namespace {
                problem(owner, ConditionType.accepted, "NotAllowedByParent", path: path + ".namespace",
                        "LLMGateway \(SpecDecoding.quoted(ref.name)) is in namespace \(SpecDecoding.quoted(other)); in v1alpha1 a \(owner.kind.kind) may only attach to gateways of its own namespace \(SpecDecoding.quoted(namespace)), because a pod can mount only its own namespace's Secrets")
                continue
            }
            guard gatewayNames.contains(ref.name) || isRejected(.gateway, ref.name) else {
                problem(owner, ConditionType.accepted, "GatewayNotFound", path: path + ".name",
                        "LLMGateway \(SpecDecoding.quoted(ref.name)) does not exist in namespace \(SpecDecoding.quoted(namespace))")
                continue
            }
            guard gateways[ref.name] != nil else {
                problem(owner, ConditionType.accepted, "GatewayNotAccepted", path: path + ".name",
                        "LLMGateway \(SpecDecoding.quoted(ref.name)) is not accepted (see its Accepted condition)")
                continue
            }
            if !parents.contains(ref.name) { parents.append(ref.name) }
        }
        return parents
    }

    // MARK: Pass 5: rules and their references

    mutating func buildRules() {
        for route in resources.routes.sorted(by: { $0.meta.name < $1.meta.name }) {
            let routeID = id(.route, route.meta.name)
            let parents = routeParents[route.meta.name] ?? []
            for (index, rule) in route.spec.rules.enumerated() {
                let path = "spec.rules[\(index)]"
                let before = problems.count
                checkRule(rule, of: routeID, at: path)
                for field in UnsupportedField.used(by: .rule(rule)) {
                    problem(routeID, ConditionType.accepted, "UnsupportedValue", path: field.path(rule: index),
                            "\(field.reason); the rule is left out rather than served without it")
                }
                warnUntranslated(rule, of: routeID, at: path)
                if problems.count == before {
                    rules.append(RuleIR(route: route, index: index, rule: rule, gateways: parents))
                    for gateway in parents {
                        for ref in rule.backendRefs + (rule.fallback?.chain ?? []) { gatewaysUsingBackend[ref.name, default: []].insert(gateway) }
                        for name in rule.autoBackendNames { gatewaysUsingBackend[name, default: []].insert(gateway) }
                        if let name = rule.cache?.semantic?.backend { gatewaysUsingBackend[name, default: []].insert(gateway) }
                    }
                    if let guardName = rule.guardPolicy { guardPolicyUsers[guardName, default: []].insert(route.meta.name) }
                } else {
                    skippedRules[route.meta.name, default: []].append(path)
                }
            }
        }
    }

    private mutating func checkRule(_ rule: LLMRoute.Rule, of routeID: ResourceID, at path: String) {
        for (matchIndex, match) in rule.matches.enumerated() {
            let matchPath = "\(path).matches[\(matchIndex)]"
            if case .regex(let pattern)? = match.model { checkRegex(pattern, of: routeID, at: matchPath + ".model.regex") }
            for (headerIndex, header) in match.headers.enumerated() {
                if case .regex(let pattern) = header.condition { checkRegex(pattern, of: routeID, at: "\(matchPath).headers[\(headerIndex)].regex") }
            }
        }
        if rule.backendRefs.allSatisfy({ $0.weight == 0 }) {
            problem(routeID, ConditionType.accepted, "Invalid", path: path + ".backendRefs",
                    "every weight is 0, so no request could be sent anywhere; give at least one backendRef a positive weight")
        }
        for (refIndex, ref) in rule.backendRefs.enumerated() {
            checkBackendRef(ref.name, of: routeID, at: "\(path).backendRefs[\(refIndex)].name")
        }
        let live = rule.backendRefs.filter { $0.weight > 0 }
        for (entryIndex, entry) in (rule.fallback?.chain ?? []).enumerated() {
            let entryPath = "\(path).fallback.chain[\(entryIndex)]"
            checkBackendRef(entry.name, of: routeID, at: entryPath + ".backendRef.name")
            if let earlier = rule.fallback!.chain[..<entryIndex].firstIndex(where: { $0.name == entry.name && $0.model == entry.model }) {
                problem(routeID, ConditionType.accepted, "Invalid", path: entryPath,
                        "repeats \(path).fallback.chain[\(earlier)] (same backend and model); each entry is tried once, so remove one")
            } else if live.count == 1, live[0].name == entry.name, live[0].model == entry.model {
                problem(routeID, ConditionType.accepted, "Invalid", path: entryPath,
                        "is the rule's only backendRef (same backend and model); to try it again, use retry.attempts")
            }
        }
        checkAuto(rule, of: routeID, at: path)
        if let semantic = rule.cache?.semantic {
            checkBackendRef(semantic.backend, of: routeID, at: "\(path).cache.semantic.backendRef.name")
        }
        if let guardName = rule.guardPolicy {
            if !resources.guardPolicies.contains(where: { $0.meta.name == guardName }) {
                let rejected = isRejected(.guardPolicy, guardName)
                problem(routeID, ConditionType.resolvedRefs, rejected ? "GuardPolicyNotAccepted" : "GuardPolicyNotFound", path: path + ".guardPolicyRef.name",
                        rejected ? "LLMGuardPolicy \(SpecDecoding.quoted(guardName)) is not accepted (see its Accepted condition)"
                            : "LLMGuardPolicy \(SpecDecoding.quoted(guardName)) does not exist in namespace \(SpecDecoding.quoted(namespace))")
            } else if !guardPolicyIsValid(guardName) {
                problem(routeID, ConditionType.resolvedRefs, "GuardPolicyNotAccepted", path: path + ".guardPolicyRef.name",
                        "LLMGuardPolicy \(SpecDecoding.quoted(guardName)) is not accepted (see its Accepted condition)")
            } else if !guardPolicySecretsResolve(guardName) {
                problem(routeID, ConditionType.resolvedRefs, "GuardPolicyNotResolved", path: path + ".guardPolicyRef.name",
                        "LLMGuardPolicy \(SpecDecoding.quoted(guardName)) names a Secret key that does not exist (see its ResolvedRefs condition)")
            }
        }
    }

    private mutating func checkRegex(_ pattern: String, of owner: ResourceID, at path: String) {
        if let message = ConfigIssue.regexProblem(pattern) {
            problem(owner, ConditionType.accepted, "Invalid", path: path, message)
        }
    }

    /// Every `auto` candidate is a usable LLMBackend with `modelInfo` for its model; every
    /// regex compiles.
    private mutating func checkAuto(_ rule: LLMRoute.Rule, of routeID: ResourceID, at path: String) {
        for (autoIndex, auto) in rule.auto.enumerated() {
            let autoPath = "\(path).auto[\(autoIndex)]"
            for (index, candidate) in (auto.candidates ?? []).enumerated() {
                let candidatePath = "\(autoPath).candidates[\(index)]"
                checkBackendRef(candidate.backend, of: routeID, at: candidatePath + ".backendRef.name")
                if let backend = resources.backends.first(where: { $0.meta.name == candidate.backend }), backend.spec.modelInfo[candidate.model] == nil {
                    problem(routeID, ConditionType.resolvedRefs, "ModelInfoNotFound", path: candidatePath + ".model",
                            "LLMBackend \(SpecDecoding.quoted(candidate.backend)) has no spec.modelInfo for \(SpecDecoding.quoted(candidate.model))")
                }
            }
            for (index, rule) in auto.classes.enumerated() {
                switch rule.condition {
                case .regex(let pattern): checkRegex(pattern, of: routeID, at: "\(autoPath).classes[\(index)].regex")
                case .header(let header):
                    if case .regex(let pattern) = header.condition { checkRegex(pattern, of: routeID, at: "\(autoPath).classes[\(index)].header.regex") }
                case .keywords: break
                }
            }
        }
    }

    private mutating func checkBackendRef(_ name: String, of routeID: ResourceID, at path: String) {
        switch backendProblem(name) {
        case nil:
            break
        case .notFound:
            problem(routeID, ConditionType.resolvedRefs, "BackendNotFound", path: path,
                    "LLMBackend \(SpecDecoding.quoted(name)) does not exist in namespace \(SpecDecoding.quoted(namespace)); create it or fix the name")
        case .notAccepted:
            problem(routeID, ConditionType.resolvedRefs, "BackendNotAccepted", path: path,
                    "LLMBackend \(SpecDecoding.quoted(name)) is not accepted (see its Accepted condition)")
        case .unresolved(let reason, let message):
            problem(routeID, ConditionType.resolvedRefs, reason, path: path, "LLMBackend \(SpecDecoding.quoted(name)) cannot be used: \(message)")
        }
    }

    private mutating func warnUntranslated(_ rule: LLMRoute.Rule, of routeID: ResourceID, at path: String) {
        if let retry = rule.retry {
            if retry.statuses != LLMRoute.Retry().statuses {
                warn(routeID, path: path + ".retry.statuses",
                     "the proxy config cannot choose the retried statuses yet; the sidecar retries what the fallback triggers name (statuses, connection failures, timeouts)")
            }
            if retry.budgetWindow != LLMRoute.Retry().budgetWindow {
                warn(routeID, path: path + ".retry.budgetWindow", "the sidecar's retry budget window is fixed at 10s")
            }
            if (retry.attempts ?? 0) + 1 > RetryConfig.maxAttemptsLimit {
                warn(routeID, path: path + ".retry.attempts",
                     "the sidecar makes at most \(RetryConfig.maxAttemptsLimit) tries per backend, so \(RetryConfig.maxAttemptsLimit - 1) retries are used")
            }
        }
        if let fallback = rule.fallback, fallback.streamBufferMaxBytes != nil, !fallback.truncation {
            warn(routeID, path: path + ".fallback.streamBuffer", "has no effect without fallback.triggers.truncation: true, so it is left out")
        }
        let timeouts = rule.timeouts
        if timeouts.connect != nil || timeouts.firstByte != nil || timeouts.firstToken != nil || timeouts.idle != nil || timeouts.total != nil {
            warn(routeID, path: path + ".timeouts", "the proxy config has no per-rule connect, firstByte, firstToken, idle or total timeouts yet; the backend's and gateway's apply (request is translated)")
        }
    }

    // MARK: Pass 6: splits in precedence order

    mutating func placeRules() {
        for name in gateways.keys.sorted() {
            var placements: [RulePlacement] = []
            for rule in rules where rule.gateways.contains(name) {
                gateways[name]!.attachedRoutes.insert(rule.route.meta.name)
                let base = "\(rule.route.meta.name).\(rule.rule.name)"
                if rule.rule.matches.isEmpty {
                    placements.append(RulePlacement(rule: rule, matchIndex: nil, configName: base))
                } else {
                    for index in rule.rule.matches.indices {
                        placements.append(RulePlacement(rule: rule, matchIndex: index,
                                                        configName: rule.rule.matches.count == 1 ? base : "\(base).\(index)"))
                    }
                }
            }
            placements.sort(by: RulePrecedence.isBefore)
            // Names, and the one catch-all the config allows (last); later equal ones are unreachable.
            var kept: [RulePlacement] = []
            var names = Set<String>()
            for placement in placements {
                let routeID = id(.route, placement.rule.route.meta.name)
                let path = "spec.rules[\(placement.rule.index)]"
                if placement.configName.utf8.count > 63 {
                    problem(routeID, ConditionType.accepted, "Invalid", path: path + ".name",
                            "the config route name \(SpecDecoding.quoted(placement.configName)) (route name, \".\", rule name) is longer than 63 characters; shorten the route or rule name")
                    skippedRules[placement.rule.route.meta.name, default: []].append(path)
                    continue
                }
                if !names.insert(placement.configName).inserted {
                    problem(routeID, ConditionType.accepted, "Invalid", path: path + ".name",
                            "the config route name \(SpecDecoding.quoted(placement.configName)) is already used by another rule of LLMGateway \(SpecDecoding.quoted(name)); rename the rule")
                    skippedRules[placement.rule.route.meta.name, default: []].append(path)
                    continue
                }
                if RulePrecedence.isCatchAll(placement.match), let first = kept.last, RulePrecedence.isCatchAll(first.match) {
                    problem(routeID, ConditionType.accepted, "Conflicted", path: path + ".matches",
                            "LLMRoute \(SpecDecoding.quoted(first.rule.route.meta.name)) rule \(SpecDecoding.quoted(first.rule.rule.name)) already matches every request of LLMGateway \(SpecDecoding.quoted(name)) and takes precedence (older, or first by name); add matches to this rule or remove one of them")
                    skippedRules[placement.rule.route.meta.name, default: []].append(path)
                    continue
                }
                kept.append(placement)
            }
            gateways[name]!.placements = kept
        }
    }
}
