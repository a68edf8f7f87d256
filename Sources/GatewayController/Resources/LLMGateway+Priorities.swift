import ProxyCore

/// `spec.defaults.priorities`: the proxy config's `defaults.priorities` (docs/routing.md).
extension LLMGateway {
    static func decodePriorities(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> PriorityConfig? {
        guard let object = d.object(value, at: path, allowed: ["levels", "default", "reservedPercent"], required: ["levels"]) else { return nil }
        var levels: [String] = []
        for (index, element) in (d.array(object["levels"], at: object.path("levels"), min: 2, max: PriorityConfig.maxLevels) ?? []).enumerated() {
            let elementPath = JSONPath.element(object.path("levels"), index)
            guard let name = d.objectName(element, at: elementPath, maxLength: 63) else { continue }
            if levels.contains(name) { d.report(elementPath, "duplicate class \(SpecDecoding.quoted(name))") } else { levels.append(name) }
        }
        guard levels.count >= 2 else { return nil }
        var defaultLevel = levels.count - 1
        if let name = d.string(object["default"], at: object.path("default"), maxLength: 63, nonEmpty: true) {
            if let index = levels.firstIndex(of: name) { defaultLevel = index } else {
                d.report(object.path("default"), "\(SpecDecoding.quoted(name)) is not one of the levels")
            }
        }
        let reserved = d.integer(object["reservedPercent"], at: object.path("reservedPercent"), in: 1...90)
        return PriorityConfig(levels: levels, defaultLevel: defaultLevel, reservedPercent: reserved)
    }
}
