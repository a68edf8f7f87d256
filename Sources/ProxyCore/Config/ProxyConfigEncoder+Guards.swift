/// `guards[]` as the decoder reads them back; written only when the config has guards.
extension ProxyConfigEncoder {
    static func guardMembers(_ config: ProxyConfig) -> [(key: String, value: JSONValue)] {
        guard !config.guards.isEmpty else { return [] }
        return [("guards", .array(config.guards.map(json)))]
    }

    private static func json(_ guardConfig: GuardConfig) -> JSONValue {
        var object = JSONObject([("name", .string(guardConfig.name))])
        if let routes = guardConfig.routes { object["routes"] = .array(routes.map(JSONValue.string)) }
        object["rules"] = .array(guardConfig.rules.map(json))
        object["messages"] = .object(JSONObject([
            ("roles", .array(guardConfig.messages.roles.map { .string($0.rawValue) })),
            ("scope", .string(guardConfig.messages.lastOnly ? "last" : "all")),
        ]))
        if let file = guardConfig.auditFile { object["audit"] = .object(JSONObject([("file", .string(file))])) }
        switch guardConfig.blockedResponse {
        case .completion:
            object["blockedResponse"] = .object(JSONObject([("mode", .string("completion"))]))
        case .error(let status):
            object["blockedResponse"] = .object(JSONObject([("mode", .string("error")), ("status", .number(JSONNumber(status)))]))
        }
        return .object(object)
    }

    private static func json(_ rule: GuardRuleConfig) -> JSONValue {
        var object = JSONObject([("name", .string(rule.name)), ("phase", .string(rule.phase.rawValue)),
                                 ("action", .string(rule.action.name))])
        if !rule.keywords.isEmpty { object["keywords"] = .array(rule.keywords.map(JSONValue.string)) }
        if !rule.regexes.isEmpty { object["regexes"] = .array(rule.regexes.map(JSONValue.string)) }
        if !rule.detectors.isEmpty { object["detectors"] = .array(rule.detectors.map { .string($0.rawValue) }) }
        if let moderation = rule.moderation {
            var hook = JSONObject([("url", .string(moderation.url.description)), ("timeout", .string(moderation.timeout.configString)),
                                   ("failMode", .string(moderation.failMode.rawValue))])
            if rule.phase.checksResponse { hook["streamWindow"] = .number(JSONNumber(moderation.streamWindow)) }
            if !moderation.thresholds.isEmpty {
                hook["thresholds"] = .object(JSONObject(moderation.thresholds.sorted { $0.key < $1.key }.map { ($0.key, number($0.value)) }))
            }
            if let credentials = moderation.credentials {
                hook["credentials"] = .object(JSONObject([("file", .string(credentials.file)),
                                                          ("header", .string(credentials.header.rawValue))]))
            }
            object["moderation"] = .object(hook)
        }
        switch rule.action {
        case .block(let message): object["message"] = .string(message)
        case .redact(let replacement): object["replacement"] = .string(replacement)
        case .log: break
        }
        return .object(object)
    }
}
