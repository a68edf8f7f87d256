import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 9: IR → proxy config

    mutating func renderConfigs() {
        gatewaysUsingBackend = [:]
        gatewaysWithConsumer = [:]
        gatewaysWithGuard = [:]
        for name in resources.gateways.map(\.meta.name).sorted() {
            guard let ir = gateways[name] else { continue }
            let gatewayID = id(.gateway, name)
            var output = RenderedGateway(gateway: ir.gateway, configMapName: ir.gateway.configMapName, config: nil, configJSON: nil,
                                         secretMounts: [], attachedRoutes: ir.attachedRoutes.count, backendCount: 0)
            defer { rendered.append(output) }
            guard !ir.refused else { continue }  // Accepted=False says why
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
                for name in placement.rule.rule.autoBackendNames where !usedBackends.contains(name) { usedBackends.append(name) }
                if let name = placement.rule.rule.cache?.semantic?.backend, !usedBackends.contains(name) { usedBackends.append(name) }
            }
            usedBackends.sort()
            let backendIRs = usedBackends.compactMap { backends[$0] }
            let consumers = consumerConfigs(ir.consumers)
            let guards = Self.guardConfigs(ir.placements, policies: resources.guardPolicies)
            let guardMounts = Self.guardMounts(guards, policies: resources.guardPolicies)
            let mounts = Array(Set(backendIRs.flatMap(\.mounts) + ir.redisMounts + consumers.mounts + guardMounts)).sorted()
            let spec = ir.gateway.spec
            let config = ProxyConfig(
                listeners: ListenersConfig(app: ListenerAddress(host: "127.0.0.1", port: UInt16(spec.appPort)),
                                           admin: ListenerAddress(host: "127.0.0.1", port: UInt16(spec.adminPort)),
                                           metrics: ListenerAddress(host: "0.0.0.0", port: UInt16(spec.metricsPort))),
                defaults: DefaultsConfig(timeouts: TimeoutsConfig.default.applying(spec.timeouts.overrides), retry: Self.retryConfig(nil, gateway: spec),
                                         priorities: spec.priorities),
                backends: backendIRs.map(\.config),
                routes: ir.placements.map { Self.routeConfig($0, gateway: spec) },
                consumers: consumers.configs,
                authentication: AuthenticationConfig(allowAnonymous: spec.allowAnonymous,
                                                     anonymous: spec.anonymousLimits.map { $0.config(name: ConsumerConfig.anonymousName, keysDirectory: "", allowedModels: nil) }),
                redis: ir.redis,
                guards: guards,
                cache: spec.cacheMemory)
            // The passes check what they can; the sidecar's own rules (and the mounted Secret
            // keys) are checked by the decoder, on exactly the bytes the sidecar will read.
            let mountedPaths = SecretMount.pathsAndDirectories(mounts)
            let issues = ProxyConfigDecoder(fileExists: { mountedPaths.contains($0) }).validate(config)
            guard issues.isEmpty else {
                for issue in issues {
                    problem(gatewayID, ConditionType.programmed, "Invalid",
                            "the rendered proxy config is invalid at \(issue.path.isEmpty ? "its root" : issue.path): \(issue.message); the ConfigMap is not updated")
                }
                continue
            }
            output.config = config
            output.configJSON = ProxyConfigEncoder.text(config)
            output.secretMounts = mounts
            output.backendCount = backendIRs.count
            checkAllowedModels(consumers.configs, config: config, gateway: name)
            for consumer in consumers.configs { gatewaysWithConsumer[consumer.name, default: []].insert(name) }
            for guardConfig in guards { gatewaysWithGuard[guardConfig.name, default: []].insert(name) }
            for backend in usedBackends { gatewaysUsingBackend[backend, default: []].insert(name) }
        }
    }

    /// A rule's `retry` (or, with nil, the gateway's `defaults.retry`) in config terms: the CRD
    /// counts retries, the config counts tries; omitted rule fields come from the gateway, and
    /// omitted gateway fields (files read by `render` have no API server defaults) from the sidecar.
    static func retryConfig(_ retry: LLMRoute.Retry?, gateway: LLMGateway.Spec) -> RetryConfig {
        let retries = retry?.attempts ?? gateway.retryAttempts
        let base = retry?.backoff.base ?? gateway.retryBackoff.base ?? BackoffConfig.default.base
        let max = retry?.backoff.max ?? gateway.retryBackoff.max ?? BackoffConfig.default.max
        return RetryConfig(attempts: min(retries + 1, RetryConfig.maxAttemptsLimit), backoff: BackoffConfig(base: base, max: Swift.max(base, max)),
                           honorRetryAfter: retry?.honorRetryAfter ?? true, budgetPercent: retry?.budgetPercent ?? RetryConfig.default.budgetPercent)
    }

    static func routeConfig(_ placement: RulePlacement, gateway: LLMGateway.Spec) -> RouteConfig {
        let rule = placement.rule.rule
        var match: RouteMatchConfig?
        if let ruleMatch = placement.match, !RulePrecedence.isCatchAll(ruleMatch) {
            match = RouteMatchConfig(paths: ruleMatch.path.map { [$0] }, model: ruleMatch.model, headers: ruleMatch.headers)
        }
        var fallback: FallbackConfig?
        var truncation: TruncationConfig?
        if let ruleFallback = rule.fallback {
            fallback = FallbackConfig(chain: ruleFallback.chain.map { FallbackEntryConfig(backend: $0.name, model: $0.model) },
                                      on: FallbackTriggers(statuses: ruleFallback.statuses, connectFailure: ruleFallback.connectFailure,
                                                           timeout: ruleFallback.timeout, truncation: ruleFallback.truncation))
            if ruleFallback.truncation, let delay = ruleFallback.streamBufferMaxDelay, let bytes = ruleFallback.streamBufferMaxBytes {
                truncation = TruncationConfig(bufferStreams: delay, bufferBytes: bytes)
            }
        }
        return RouteConfig(name: placement.configName, match: match,
                           split: rule.backendRefs.map { SplitEntryConfig(backend: $0.name, weight: $0.weight, model: $0.model) },
                           sticky: rule.stickyHeader.map(StickyConfig.init(header:)), fallback: fallback,
                           retry: rule.retry.map { retryConfig($0, gateway: gateway) }, deadline: rule.timeouts.request,
                           maxAttempts: rule.retry?.maxAttemptsPerRequest, truncation: truncation, cache: rule.cache,
                           auto: rule.auto.filter { auto in match?.model.map { ModelMatch.matches($0, auto.name) } ?? true })
    }
}
