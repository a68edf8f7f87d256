import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 10: status of every resource

    mutating func buildStatuses() {
        var described = Set<ResourceID>()
        for gateway in resources.gateways {
            let gatewayID = id(.gateway, gateway.meta.name)
            let output = rendered.first { $0.gateway.meta.name == gateway.meta.name }
            let programmed: DesiredCondition
            if let issue = ownProblems(gatewayID, ConditionType.programmed).first {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: issue.reason,
                                              message: joined(ownProblems(gatewayID, ConditionType.programmed)))
            } else if let output, output.config != nil {
                programmed = DesiredCondition(type: ConditionType.programmed, status: true, reason: "Programmed",
                                              message: "ConfigMap \(SpecDecoding.quoted(output.configMapName)) holds \(count(output.config!.routes.count, "route")) and \(count(output.backendCount, "backend"))")
            } else if gateways[gateway.meta.name]?.refused == true {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAccepted",
                                              message: "not accepted, so its ConfigMap is not written or updated (the last one written stays)")
            } else {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAccepted", message: "not accepted, so nothing is rendered")
            }
            var fields: [(key: String, value: JSONValue)] = [("attachedRoutes", .num(output?.attachedRoutes ?? 0)),
                                                             ("backends", .num(output?.backendCount ?? 0))]
            if output != nil { fields.append(("configMapName", .str(gateway.configMapName))) }
            add(gatewayID, gateway.meta.generation, accepted: "the gateway is valid", resolved: "every referenced Secret exists",
                programmed: programmed, fields: fields, gateways: output?.config != nil ? [gateway.meta.name] : [])
            described.insert(gatewayID)
        }
        for backend in resources.backends {
            let backendID = id(.backend, backend.meta.name)
            let users = (gatewaysUsingBackend[backend.meta.name] ?? []).sorted()
            let programmed: DesiredCondition
            switch backendProblem(backend.meta.name) {
            case .notAccepted?:
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAccepted", message: "not accepted, so no gateway uses it")
            case .unresolved?:
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "RefsNotResolved",
                                              message: "its Secret references do not resolve, so rules sending to it are skipped")
            case .notFound?, nil:
                if users.isEmpty {
                    programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotUsed",
                                                  message: "no accepted rule of an attached LLMRoute sends to it")
                } else {
                    programmed = DesiredCondition(type: ConditionType.programmed, status: true, reason: "Programmed",
                                                  message: "in the config of " + users.map { "LLMGateway \(SpecDecoding.quoted($0))" }.joined(separator: ", "))
                }
            }
            add(backendID, backend.meta.generation, accepted: "the backend is valid", resolved: "every referenced Secret key exists",
                programmed: programmed, gateways: users)
            described.insert(backendID)
        }
        for route in resources.routes {
            let routeID = id(.route, route.meta.name)
            let parents = routeParents[route.meta.name] ?? []
            let skipped = skippedRules[route.meta.name] ?? []
            let unprogrammed = parents.filter { parent in rendered.first { $0.gateway.meta.name == parent }?.config == nil }
            let configMaps = parents.compactMap { parent in rendered.first { $0.gateway.meta.name == parent && $0.config != nil }?.configMapName }
            let programmed: DesiredCondition
            if parents.isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAttached",
                                              message: "not attached to any accepted LLMGateway")
            } else if !unprogrammed.isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "GatewayNotProgrammed",
                                              message: unprogrammed.map { "LLMGateway \(SpecDecoding.quoted($0))" }.joined(separator: ", ") + " has no valid config (see its Programmed condition)")
            } else if !skipped.isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "RulesSkipped",
                                              message: "\(skipped.joined(separator: ", ")) skipped (see Accepted and ResolvedRefs); the other rules are in " + quotedList("ConfigMap", configMaps))
            } else {
                programmed = DesiredCondition(type: ConditionType.programmed, status: true, reason: "Programmed", message: "every rule is in " + quotedList("ConfigMap", configMaps))
            }
            add(routeID, route.meta.generation,
                accepted: parents.isEmpty ? "the route is valid" : "attached to " + quotedList("LLMGateway", parents),
                resolved: "every LLMBackend and LLMGuardPolicy it names exists", programmed: programmed, gateways: parents)
            described.insert(routeID)
        }
        for consumer in resources.consumers {
            let consumerID = id(.consumer, consumer.meta.name)
            let parents = consumerParents[consumer.meta.name] ?? []
            let keys = resources.secrets.first { $0.meta.name == consumer.spec.keysSecret }?.keys.count ?? 0
            let programmedIn = (gatewaysWithConsumer[consumer.meta.name] ?? []).sorted()
            let unprogrammed = parents.filter { !programmedIn.contains($0) }
            let programmed: DesiredCondition
            if parents.isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAttached",
                                              message: "not attached to any accepted LLMGateway")
            } else if keys == 0 {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "RefsNotResolved",
                                              message: "its key Secret is missing or empty, so it is left out of its gateways' configs (its keys get 401)")
            } else if !unprogrammed.isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "GatewayNotProgrammed",
                                              message: unprogrammed.map { "LLMGateway \(SpecDecoding.quoted($0))" }.joined(separator: ", ") + " has no valid config (see its Programmed condition)")
            } else {
                programmed = DesiredCondition(type: ConditionType.programmed, status: true, reason: "Programmed",
                                              message: "in " + quotedList("ConfigMap", programmedIn.compactMap { gateway in
                                                  rendered.first { $0.gateway.meta.name == gateway }?.configMapName
                                              }))
            }
            add(consumerID, consumer.meta.generation,
                accepted: parents.isEmpty ? "the consumer is valid" : "attached to " + quotedList("LLMGateway", parents),
                resolved: "Secret \(SpecDecoding.quoted(consumer.spec.keysSecret)) holds \(count(keys, "key"))",
                programmed: programmed, fields: [("keys", .num(keys))], gateways: programmedIn)
            described.insert(consumerID)
        }
        for policy in resources.guardPolicies {
            let policyID = id(.guardPolicy, policy.meta.name)
            let secrets = policy.spec.rules.compactMap(\.moderationSecret).map { "\($0.name)/\($0.key)" }
            let resolved = secrets.isEmpty ? "it names no other resource" : quotedList("Secret key", secrets) + (secrets.count == 1 ? " exists" : " exist")
            let programmedIn = (gatewaysWithGuard[policy.meta.name] ?? []).sorted()
            let programmed: DesiredCondition
            if !ownProblems(policyID, ConditionType.accepted).isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAccepted",
                                              message: "not accepted, so the route rules using it are left out")
            } else if !ownProblems(policyID, ConditionType.resolvedRefs).isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "RefsNotResolved",
                                              message: "its moderation key Secret is missing, so the route rules using it are left out")
            } else if programmedIn.isEmpty {
                programmed = DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotUsed",
                                              message: "no accepted LLMRoute rule of a programmed LLMGateway uses it")
            } else {
                programmed = DesiredCondition(type: ConditionType.programmed, status: true, reason: "Programmed",
                                              message: "in " + quotedList("ConfigMap", programmedIn.compactMap { gateway in
                                                  rendered.first { $0.gateway.meta.name == gateway }?.configMapName
                                              }))
            }
            add(policyID, policy.meta.generation, accepted: "the policy is valid", resolved: resolved, programmed: programmed)
            described.insert(policyID)
        }
        for rejected in resources.rejected where !described.contains(rejected.id) && rejected.id.kind != .secret {
            described.insert(rejected.id)
            let own = ownProblems(rejected.id, ConditionType.accepted)
            statuses.append(DesiredStatus(id: rejected.id, generation: rejected.generation, conditions: [
                DesiredCondition(type: ConditionType.accepted, status: false, reason: own.first?.reason ?? rejected.reason, message: joined(own)),
                DesiredCondition(type: ConditionType.programmed, status: false, reason: "NotAccepted", message: "not accepted, so nothing is rendered"),
            ], fields: []))
        }
    }

    private mutating func add(_ resourceID: ResourceID, _ generation: Int, accepted: String, resolved: String, programmed: DesiredCondition,
                              fields: [(key: String, value: JSONValue)] = [], gateways: [String] = []) {
        var conditions: [DesiredCondition] = []
        let acceptedProblems = ownProblems(resourceID, ConditionType.accepted)
        conditions.append(acceptedProblems.isEmpty
            ? DesiredCondition(type: ConditionType.accepted, status: true, reason: "Accepted", message: accepted)
            : DesiredCondition(type: ConditionType.accepted, status: false, reason: acceptedProblems[0].reason, message: joined(acceptedProblems)))
        let refProblems = ownProblems(resourceID, ConditionType.resolvedRefs)
        conditions.append(refProblems.isEmpty
            ? DesiredCondition(type: ConditionType.resolvedRefs, status: true, reason: "ResolvedRefs", message: resolved)
            : DesiredCondition(type: ConditionType.resolvedRefs, status: false, reason: refProblems[0].reason, message: joined(refProblems)))
        conditions.append(programmed)
        let ownWarnings = warnings.filter { $0.resource == resourceID }
        if !ownWarnings.isEmpty {
            conditions.append(DesiredCondition(type: ConditionType.notYetTranslated, status: true, reason: "UnsupportedFields",
                                               message: "the sidecar ignores these fields for now: " + joined(ownWarnings)))
        }
        statuses.append(DesiredStatus(id: resourceID, generation: generation, conditions: conditions, fields: fields.sorted { $0.key < $1.key },
                                      gateways: gateways))
    }

    private func ownProblems(_ resourceID: ResourceID, _ condition: String) -> [TranslationProblem] {
        problems.filter { $0.resource == resourceID && $0.condition == condition }
    }

    private func joined(_ problems: [TranslationProblem]) -> String {
        problems.map(\.detail).joined(separator: "; ")
    }

    private func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    private func quotedList(_ kind: String, _ names: [String]) -> String {
        names.map { "\(kind) \(SpecDecoding.quoted($0))" }.joined(separator: ", ")
    }
}
