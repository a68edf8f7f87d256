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
            var object = JSONObject([("name", .str(backend.meta.name)), ("provider", .str(spec.provider.rawValue)), ("baseURL", .str(spec.url))])
            if let credentials = spec.credentials {
                if checkSecret(credentials, for: backendID, at: "spec.credentials.secretRef") {
                    let mount = SecretMount(secret: credentials.name, key: credentials.key)
                    mounts.append(mount)
                    let header = spec.credentialHeader ?? spec.provider.defaultCredentialHeader
                    object["credentials"] = .obj([("file", .str(mount.path)), ("header", .str(header.rawValue))])
                } else {
                    resolved = false
                }
            }
            if !spec.models.isEmpty { object["models"] = .object(JSONObject(spec.models.map { ($0.key, .str($0.value)) })) }
            if let timeouts = Self.timeoutsJSON(spec.timeouts) { object["timeouts"] = timeouts }
            if spec.caSecret != nil || spec.insecureSkipVerify {
                var tls = JSONObject()
                if let ca = spec.caSecret {
                    if checkSecret(ca, for: backendID, at: "spec.tls.caSecretRef") {
                        let mount = SecretMount(secret: ca.name, key: ca.key)
                        mounts.append(mount)
                        tls["caFile"] = .str(mount.path)
                    } else {
                        resolved = false
                    }
                }
                if spec.insecureSkipVerify { tls["insecureSkipVerify"] = .bool(true) }
                object["tls"] = .object(tls)
            }
            if let limit = spec.maxConcurrentRequests { object["maxConcurrentRequests"] = .num(limit) }
            for policy in spec.policies { object[policy.key] = policy.value }
            for field in spec.untranslated { warn(backendID, path: field.path, field.message) }
            if resolved {
                backends[backend.meta.name] = BackendIR(backend: backend, config: .object(object), mounts: mounts)
            } else {
                let first = problems.last { $0.resource == backendID && $0.condition == ConditionType.resolvedRefs }!
                backendProblems[backend.meta.name] = .unresolved(reason: first.reason, message: first.message)
            }
        }
    }

    static func timeoutsJSON(_ timeouts: TimeoutsSpec) -> JSONValue? {
        var object = JSONObject()
        if let value = timeouts.connect { object["connect"] = .str(value.configString) }
        if let value = timeouts.firstByte { object["firstByte"] = .str(value.configString) }
        if let value = timeouts.idle { object["idle"] = .str(value.configString) }
        if let value = timeouts.total { object["total"] = .str(value.configString) }
        return object.members.isEmpty ? nil : .object(object)
    }

    /// Why `name` cannot be used, or nil when it is a usable backend.
    func backendProblem(_ name: String) -> BackendRefProblem? {
        if backends[name] != nil { return nil }
        if let known = backendProblems[name] { return known }
        return isRejected(.backend, name) ? .notAccepted : .notFound
    }
}
