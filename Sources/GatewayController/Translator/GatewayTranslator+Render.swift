import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 8: IR → proxy config

    mutating func renderConfigs() {
        gatewaysUsingBackend = [:]
        for name in resources.gateways.map(\.meta.name).sorted() {
            guard let ir = gateways[name] else { continue }
            let gatewayID = id(.gateway, name)
            var output = RenderedGateway(gateway: ir.gateway, configMapName: ir.gateway.configMapName, config: nil, configJSON: nil,
                                         secretMounts: [], attachedRoutes: ir.attachedRoutes.count, backendCount: 0)
            defer { rendered.append(output) }
            guard !ir.placements.isEmpty else {
                problem(gatewayID, ConditionType.programmed, "NoRoutes",
                        "no accepted LLMRoute rule is attached, so there is no config to serve; the ConfigMap is not written (an existing one is kept)")
                continue
            }
            var usedBackends: [String] = []
            for placement in ir.placements {
                for ref in placement.rule.rule.backendRefs + (placement.rule.rule.fallback?.chain ?? []) where !usedBackends.contains(ref.name) {
                    usedBackends.append(ref.name)
                }
            }
            usedBackends.sort()
            let backendIRs = usedBackends.compactMap { backends[$0] }
            let mounts = Array(Set(backendIRs.flatMap(\.mounts))).sorted()
            let document = JSONValue.obj([
                ("apiVersion", .str(ProxyConfig.apiVersion)),
                ("kind", .str(ProxyConfig.kind)),
                ("listeners", .obj([("app", .str("127.0.0.1:\(ir.gateway.spec.appPort)")), ("admin", .str("127.0.0.1:\(ir.gateway.spec.adminPort)")),
                                    ("metrics", .str("0.0.0.0:\(ir.gateway.spec.metricsPort)"))])),
                ("defaults", .obj((Self.timeoutsJSON(ir.gateway.spec.timeouts).map { [("timeouts", $0)] } ?? [])
                    + [("retry", Self.retryJSON(nil, gateway: ir.gateway.spec))])),
                ("backends", .array(backendIRs.map(\.config))),
                ("routes", .array(ir.placements.map { Self.routeJSON($0, gateway: ir.gateway.spec) })),
            ])
            let mountedPaths = Set(mounts.map(\.path))
            let decoder = ProxyConfigDecoder(fileExists: { mountedPaths.contains($0) })
            do {
                let config = try decoder.decode(document)
                output.config = config
                output.configJSON = JSONWriter.write(config.jsonValue, options: [.pretty, .canonical]).utf8String + "\n"
                output.secretMounts = mounts
                output.backendCount = backendIRs.count
                for backend in usedBackends { gatewaysUsingBackend[backend, default: []].insert(name) }
            } catch {
                // The passes should have caught everything the decoder checks; if not, say exactly what it found.
                for issue in error.issues {
                    problem(gatewayID, ConditionType.programmed, "Invalid",
                            "the rendered proxy config is invalid at \(issue.path.isEmpty ? "its root" : issue.path): \(issue.message); the ConfigMap is not updated")
                }
            }
        }
    }

    /// A rule's `retry` (or, with nil, the gateway's `defaults.retry`) in config terms: the CRD
    /// counts retries, the config counts tries; omitted rule fields come from the gateway.
    static func retryJSON(_ retry: LLMRoute.Retry?, gateway: LLMGateway.Spec) -> JSONValue {
        let retries = retry?.attempts ?? gateway.retryAttempts
        let base = retry?.backoff.base ?? gateway.retryBackoff.base ?? .milliseconds(250)
        let max = retry?.backoff.max ?? gateway.retryBackoff.max ?? .seconds(10)
        return .obj([
            ("attempts", .num(min(retries + 1, RetryConfig.maxAttemptsLimit))),
            ("backoff", .obj([("base", .str(base.configString)), ("max", .str(Swift.max(base, max).configString))])),
            ("honorRetryAfter", .bool(retry?.honorRetryAfter ?? true)),
            ("budgetPercent", .num(retry?.budgetPercent ?? 20)),
        ])
    }

    static func routeJSON(_ placement: RulePlacement, gateway: LLMGateway.Spec) -> JSONValue {
        let rule = placement.rule.rule
        var object = JSONObject([("name", .str(placement.configName))])
        if let match = placement.match, !RulePrecedence.isCatchAll(match) {
            var matchObject = JSONObject()
            if let path = match.path { matchObject["paths"] = .array([.str(path)]) }
            switch match.model {
            case .exact(let text)?: matchObject["model"] = .obj([("exact", .str(text))])
            case .prefix(let text)?: matchObject["model"] = .obj([("prefix", .str(text))])
            case .glob(let text)?: matchObject["model"] = .obj([("glob", .str(text))])
            case .regex(let text)?: matchObject["model"] = .obj([("regex", .str(text))])
            case .oneOf(let names)?: matchObject["models"] = .array(names.map(JSONValue.str))
            case nil: break
            }
            if !match.headers.isEmpty {
                matchObject["headers"] = .array(match.headers.map { header in
                    switch header.condition {
                    case .exact(let text): .obj([("name", .str(header.name)), ("exact", .str(text))])
                    case .present(let flag): .obj([("name", .str(header.name)), ("present", .bool(flag))])
                    case .regex(let text): .obj([("name", .str(header.name)), ("regex", .str(text))])
                    }
                })
            }
            object["match"] = .object(matchObject)
        }
        object["split"] = .array(rule.backendRefs.map { ref in
            var entry = JSONObject([("backend", .str(ref.name)), ("weight", .num(ref.weight))])
            if let model = ref.model { entry["model"] = .str(model) }
            return .object(entry)
        })
        if let header = rule.stickyHeader { object["sticky"] = .obj([("header", .str(header))]) }
        if let retry = rule.retry {
            object["retry"] = retryJSON(retry, gateway: gateway)
            object["maxAttempts"] = .num(retry.maxAttemptsPerRequest)
        }
        if let fallback = rule.fallback {
            object["fallback"] = .obj([
                ("chain", .array(fallback.chain.map { entry in
                    var entryObject = JSONObject([("backend", .str(entry.name))])
                    if let model = entry.model { entryObject["model"] = .str(model) }
                    return .object(entryObject)
                })),
                ("on", .obj([("statuses", .array(fallback.statuses.map(\.jsonValue))), ("connectFailure", .bool(fallback.connectFailure)),
                             ("timeout", .bool(fallback.timeout)), ("truncation", .bool(fallback.truncation))])),
            ])
            if fallback.truncation, let delay = fallback.streamBufferMaxDelay, let bytes = fallback.streamBufferMaxBytes {
                object["truncation"] = .obj([("bufferStreams", .str(delay.configString)), ("bufferBytes", .num(bytes))])
            }
        }
        if let deadline = rule.timeouts.request { object["deadline"] = .str(deadline.configString) }
        return .object(object)
    }
}
