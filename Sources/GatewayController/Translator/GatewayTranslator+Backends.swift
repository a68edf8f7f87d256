import ProxyCore

extension NamespaceTranslation {
    // MARK: Pass 3: backends and their Secrets

    mutating func resolveBackends() {
        for backend in resources.backends.sorted(by: { $0.meta.name < $1.meta.name }) {
            let backendID = id(.backend, backend.meta.name)
            let spec = backend.spec
            var resolved = true
            if backend.meta.name.utf8.count > 63 {
                problem(backendID, ConditionType.accepted, "Invalid", path: "metadata.name",
                        "an LLMBackend name is at most 63 characters (it becomes a header value and a metrics label)")
                backendProblems[backend.meta.name] = .notAccepted
                continue
            }
            var mounts: [SecretMount] = []
            var credentials: CredentialsConfig?
            if !spec.credentials.isEmpty {
                var files: [String] = []
                for (index, ref) in spec.credentials.enumerated() {
                    let at = spec.credentials.count == 1 ? "spec.credentials.secretRef" : "spec.credentials.secretRefs[\(index)]"
                    if checkSecret(ref, for: backendID, at: at) {
                        let mount = SecretMount(secret: ref.name, key: ref.key)
                        mounts.append(mount)
                        files.append(mount.path)
                    } else {
                        resolved = false
                    }
                }
                credentials = CredentialsConfig(files: files, header: spec.credentialHeader ?? spec.provider.defaultCredentialHeader,
                                                cooldown: spec.credentialCooldown ?? CredentialsConfig.defaultCooldown)
            }
            var tls: TLSConfig?
            if spec.caSecret != nil || spec.insecureSkipVerify {
                var caFile: String?
                if let ca = spec.caSecret {
                    if checkSecret(ca, for: backendID, at: "spec.tls.caSecretRef") {
                        let mount = SecretMount(secret: ca.name, key: ca.key)
                        mounts.append(mount)
                        caFile = mount.path
                    } else {
                        resolved = false
                    }
                }
                tls = TLSConfig(caFile: caFile, insecureSkipVerify: spec.insecureSkipVerify)
            }
            for field in spec.untranslated { warn(backendID, path: field.path, field.message) }
            guard resolved else {
                let first = problems.last { $0.resource == backendID && $0.condition == ConditionType.resolvedRefs }!
                backendProblems[backend.meta.name] = .unresolved(reason: first.reason, message: first.message)
                continue
            }
            // A decoded spec always has its URL: decoding refuses a spec without a valid one.
            let config = BackendConfig(name: backend.meta.name, provider: spec.provider, baseURL: spec.baseURL!, credentials: credentials,
                                       models: spec.models, timeouts: spec.timeouts.overrides, tls: tls,
                                       maxConcurrentRequests: spec.maxConcurrentRequests, queue: spec.queue,
                                       circuitBreaker: spec.circuitBreaker, latencyShift: spec.latencyShift, warmup: spec.warmup,
                                       contextWindow: spec.contextWindow, prices: spec.prices, defaultMaxTokens: spec.defaultMaxTokens,
                                       azure: spec.azure, modelInfo: spec.modelInfo)
            backends[backend.meta.name] = BackendIR(backend: backend, config: config, mounts: mounts)
        }
    }

    /// Why `name` cannot be used, or nil when it is a usable backend.
    func backendProblem(_ name: String) -> BackendRefProblem? {
        if backends[name] != nil { return nil }
        if let known = backendProblems[name] { return known }
        return isRejected(.backend, name) ? .notAccepted : .notFound
    }
}
