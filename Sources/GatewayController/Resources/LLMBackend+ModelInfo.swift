import ProxyCore

/// `spec.modelInfo`: upstream model → context window, output limit, capabilities, tags, tier
/// (the proxy config's `backends[].modelInfo`, docs/routing.md).
extension LLMBackend {
    static func decodeModelInfo(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> [String: ModelInfoConfig] {
        guard let value else { return [:] }
        guard case .object(let models) = value else {
            d.report(path, "expected an object, found \(SpecDecoding.found(value))")
            return [:]
        }
        var infos: [String: ModelInfoConfig] = [:]
        for member in models.members {
            let memberPath = JSONPath.member(path, member.key)
            guard let info = d.object(member.value, at: memberPath, allowed: ["contextWindow", "maxOutputTokens", "capabilities", "tags", "tier"],
                                      required: ["contextWindow"])
            else { continue }
            let window = d.integer(info["contextWindow"], at: info.path("contextWindow"), in: 1...BackendConfig.maxContextWindow)
            let maxOutput = d.integer(info["maxOutputTokens"], at: info.path("maxOutputTokens"), in: 1...BackendConfig.maxContextWindow)
            if let window, let maxOutput, maxOutput > window {
                d.report(info.path("maxOutputTokens"), "\(maxOutput) is larger than the context window \(window)")
            }
            var capabilities = ModelCapabilities()
            for (index, element) in (d.array(info["capabilities"], at: info.path("capabilities"), max: ModelCapability.allCases.count) ?? []).enumerated() {
                if let name = d.choice(element, at: JSONPath.element(info.path("capabilities"), index), ModelCapability.allCases.map(\.rawValue)),
                   let capability = ModelCapability(rawValue: name) {
                    capabilities.insert(capability)
                }
            }
            let tags = (d.array(info["tags"], at: info.path("tags"), max: ModelInfoConfig.maxTags) ?? []).enumerated().compactMap { index, tag in
                d.string(tag, at: JSONPath.element(info.path("tags"), index), maxLength: 63, nonEmpty: true)
            }
            let tier = d.integer(info["tier"], at: info.path("tier"), in: 0...ModelInfoConfig.maxTier) ?? 0
            if let window, !member.key.isEmpty {
                infos[member.key] = ModelInfoConfig(contextWindow: window, maxOutputTokens: maxOutput, capabilities: capabilities, tags: tags, tier: tier)
            }
        }
        return infos
    }
}
