import ProxyCore

/// An `LLMBackend`: one provider endpoint (see docs/crds.md). Fields the proxy config cannot
/// express yet are kept as their JSON (`untranslated`) so the translator can name them.
package struct LLMBackend: Hashable, Sendable {
    package struct Spec: Hashable, Sendable {
        package var provider: ProviderKind = .openai
        package var url = ""
        package var credentials: SecretKeyRef?
        package var credentialHeader: CredentialHeader?
        package var models: [(key: String, value: String)] = []
        package var timeouts = TimeoutsSpec()
        package var caSecret: SecretKeyRef?
        package var insecureSkipVerify = false
        package var maxConcurrentRequests: Int?
        /// `queue`, `circuitBreaker`, `latencyShift`, `warmup`, `prices`, `contextWindow`, as written.
        package var resilience: [(key: String, value: JSONValue)] = []

        package static func == (lhs: Spec, rhs: Spec) -> Bool {
            lhs.provider == rhs.provider && lhs.url == rhs.url && lhs.credentials == rhs.credentials
                && lhs.credentialHeader == rhs.credentialHeader && lhs.models.elementsEqual(rhs.models, by: { $0 == $1 })
                && lhs.timeouts == rhs.timeouts && lhs.caSecret == rhs.caSecret && lhs.insecureSkipVerify == rhs.insecureSkipVerify
                && lhs.maxConcurrentRequests == rhs.maxConcurrentRequests
                && lhs.resilience.elementsEqual(rhs.resilience, by: { $0.key == $1.key && $0.value == $1.value })
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combine(url)
            hasher.combine(provider)
        }
    }

    package var meta: ResourceMeta
    package var spec: Spec

    static let resilienceFields = ["queue", "circuitBreaker", "latencyShift", "warmup", "prices", "contextWindow"]

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["provider", "url", "credentials", "models", "timeouts", "tls",
                                                                "maxConcurrentRequests"] + resilienceFields,
                                    required: ["provider", "url"])
        else { return nil }
        let before = d.issues.count
        var spec = Spec()
        if let provider = d.choice(object["provider"], at: object.path("provider"), ProviderKind.allCases.map(\.rawValue)) {
            spec.provider = ProviderKind(rawValue: provider)!
        }
        if let url = d.string(object["url"], at: object.path("url"), maxLength: 2048, nonEmpty: true) {
            if case .failure(let problem) = BackendURL.parse(url) {
                d.report(object.path("url"), "\(SpecDecoding.quoted(url)) is not a valid backend URL: \(problem)")
            }
            spec.url = url
        }
        if let credentials = d.optionalObject(object["credentials"], at: object.path("credentials"), allowed: ["secretRef", "header"],
                                              required: ["secretRef"]) {
            spec.credentials = SecretKeyRef.decode(credentials["secretRef"], at: credentials.path("secretRef"), defaultKey: "api-key", decoding: &d)
            if let header = d.choice(credentials["header"], at: credentials.path("header"), CredentialHeader.allCases.map(\.rawValue)) {
                spec.credentialHeader = CredentialHeader(rawValue: header)
            }
        }
        spec.models = d.stringMap(object["models"], at: object.path("models"), maxLength: 256) ?? []
        spec.timeouts = TimeoutsSpec.decode(object["timeouts"], at: object.path("timeouts"), withRequest: false, decoding: &d) ?? TimeoutsSpec()
        if let tls = d.optionalObject(object["tls"], at: object.path("tls"), allowed: ["caSecretRef", "insecureSkipVerify"]) {
            if tls["caSecretRef"] != nil {
                spec.caSecret = SecretKeyRef.decode(tls["caSecretRef"], at: tls.path("caSecretRef"), defaultKey: "ca.crt", decoding: &d)
            }
            spec.insecureSkipVerify = d.bool(tls["insecureSkipVerify"], at: tls.path("insecureSkipVerify")) ?? false
            if spec.caSecret != nil && spec.insecureSkipVerify {
                d.report(tls.path, "caSecretRef and insecureSkipVerify: true cannot be combined")
            }
            if !spec.url.hasPrefix("https://") {
                d.report(tls.path, "tls is only allowed with an https:// url")
            }
        }
        spec.maxConcurrentRequests = d.integer(object["maxConcurrentRequests"], at: object.path("maxConcurrentRequests"), in: 1...100_000)
        if object["queue"] != nil && object["maxConcurrentRequests"] == nil {
            d.report(object.path("queue"), "a queue needs maxConcurrentRequests")
        }
        for field in resilienceFields {
            if let value = object[field] { spec.resilience.append((field, value)) }
        }
        return d.issues.count == before ? spec : nil
    }
}
