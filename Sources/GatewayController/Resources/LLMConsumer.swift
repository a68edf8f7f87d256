import ProxyCore

/// An `LLMConsumer`: a caller's keys, model rights and limits (see docs/crds.md). The proxy
/// config cannot carry consumers yet; the translator checks them and says so in status.
package struct LLMConsumer: Hashable, Sendable {
    package struct Spec: Hashable, Sendable {
        package var parentRefs: [ParentRef] = []
        package var keysSecret = ""
        package var allowedModels: [String]?
        package var requestsPerMinute: Int?
        package var tokensPerMinute: Int?
        package var tokensPerDay: Int?
        package var costPerMonth: JSONNumber?
        package var currency = "USD"
    }

    package var meta: ResourceMeta
    package var spec: Spec

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["parentRefs", "credentials", "allowedModels", "rateLimits", "quotas"],
                                    required: ["parentRefs", "credentials"])
        else { return nil }
        let before = d.issues.count
        var spec = Spec()
        spec.parentRefs = ParentRef.decodeList(object["parentRefs"], at: object.path("parentRefs"), decoding: &d) ?? []
        if let credentials = d.optionalObject(object["credentials"], at: object.path("credentials"), allowed: ["secretRef"], required: ["secretRef"]),
           let ref = SecretKeyRef.decode(credentials["secretRef"], at: credentials.path("secretRef"), defaultKey: nil, decoding: &d) {
            spec.keysSecret = ref.name
        }
        if let models = d.array(object["allowedModels"], at: object.path("allowedModels"), max: 64) {
            spec.allowedModels = models.enumerated().compactMap { d.string($1, at: JSONPath.element(object.path("allowedModels"), $0), maxLength: 256) }
        }
        if let limits = d.optionalObject(object["rateLimits"], at: object.path("rateLimits"), allowed: ["requestsPerMinute", "tokensPerMinute"]) {
            spec.requestsPerMinute = d.integer(limits["requestsPerMinute"], at: limits.path("requestsPerMinute"), in: 1...100_000_000)
            spec.tokensPerMinute = d.integer(limits["tokensPerMinute"], at: limits.path("tokensPerMinute"), in: 1...10_000_000_000)
        }
        if let quotas = d.optionalObject(object["quotas"], at: object.path("quotas"), allowed: ["tokensPerDay", "costPerMonth", "currency"]) {
            spec.tokensPerDay = d.integer(quotas["tokensPerDay"], at: quotas.path("tokensPerDay"), in: 1...1_000_000_000_000)
            spec.costPerMonth = d.nonNegativeNumber(quotas["costPerMonth"], at: quotas.path("costPerMonth"))
            if let currency = d.string(quotas["currency"], at: quotas.path("currency")) {
                if currency.utf8.count == 3, currency.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) {
                    spec.currency = currency
                } else {
                    d.report(quotas.path("currency"), "\(SpecDecoding.quoted(currency)) is not an ISO 4217 code such as \"USD\"")
                }
            }
        }
        return d.issues.count == before ? spec : nil
    }
}
