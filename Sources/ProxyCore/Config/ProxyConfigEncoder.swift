/// Turns a `ProxyConfig` into the JSON document `ProxyConfigDecoder` reads back to an equal
/// value: the other half of the contract between the controller (which builds configs as
/// values and encodes them) and the sidecar (which decodes them). Pure.
///
/// Every default is written out (listeners, defaults, credential headers), so the document
/// states exactly what the sidecar does. Holds no secret: credentials are file references.
package enum ProxyConfigEncoder {
    /// The config as canonical text: sorted keys, two-space indent, a final newline. The same
    /// config always gives the same bytes (what the controller writes to a ConfigMap).
    package static func text(_ config: ProxyConfig) -> String {
        String(decoding: JSONWriter.write(json(config), options: [.pretty, .canonical]), as: UTF8.self) + "\n"
    }

    /// The config as a JSON value.
    package static func json(_ config: ProxyConfig) -> JSONValue {
        let listeners = config.listeners, defaults = config.defaults
        return .object(JSONObject([
            ("apiVersion", .string(ProxyConfig.apiVersion)),
            ("kind", .string(ProxyConfig.kind)),
            ("listeners", .object(JSONObject([
                ("app", .string(listeners.app.description)),
                ("admin", .string(listeners.admin.description)),
                ("metrics", .string(listeners.metrics.description)),
            ]))),
            ("defaults", .object(defaultsObject(defaults, [
                ("timeouts", json(TimeoutOverrides(connect: defaults.timeouts.connect, firstByte: defaults.timeouts.firstByte,
                                                        firstToken: defaults.timeouts.firstToken,
                                                        idle: defaults.timeouts.idle, total: defaults.timeouts.total))),
                ("maxRequestBodyBytes", .number(JSONNumber(defaults.maxRequestBodyBytes))),
                ("retry", json(defaults.retry)),
                ("deadline", .string(defaults.deadline.configString)),
                ("maxAttempts", .number(JSONNumber(defaults.maxAttempts))),
                ("fallbackOn", json(defaults.fallbackOn)),
            ]))),
            ("backends", .array(config.backends.map(json))),
            ("routes", .array(config.routes.map(json))),
        ] + consumerMembers(config) + redisMembers(config) + guardMembers(config) + cacheMembers(config)))
    }

    /// `redis`, with every default written out; nothing when no Redis is configured.
    private static func redisMembers(_ config: ProxyConfig) -> [(key: String, value: JSONValue)] {
        guard let redis = config.redis else { return [] }
        var object = JSONObject([
            ("addresses", .array(redis.addresses.map { .string($0.description) })),
            ("timeout", .string(redis.timeout.configString)),
            ("failMode", .string(redis.failMode.rawValue)),
            ("mode", .string(redis.mode.rawValue)),
            ("keyPrefix", .string(redis.keyPrefix)),
        ])
        switch redis.topology {
        case .standalone: object["cluster"] = .bool(false)
        case .cluster: object["cluster"] = .bool(true)
        case .detect: break
        }
        if redis.mode == .sync || redis.syncInterval != RedisConfig.defaultSyncInterval {
            object["syncInterval"] = .string(redis.syncInterval.configString)
        }
        if let username = redis.username { object["username"] = .string(username) }
        if let file = redis.passwordFile { object["passwordFile"] = .string(file) }
        if let tls = redis.tls {
            var tlsObject = JSONObject()
            if let caFile = tls.caFile { tlsObject["caFile"] = .string(caFile) }
            if let name = tls.serverName { tlsObject["serverName"] = .string(name) }
            object["tls"] = .object(tlsObject)
        }
        return [("redis", .object(object))]
    }

    /// `consumers` and `authentication`, written only when the config has consumers or
    /// admits anonymous requests explicitly (otherwise both say what their absence says).
    private static func consumerMembers(_ config: ProxyConfig) -> [(key: String, value: JSONValue)] {
        let authentication = config.authentication
        guard !config.consumers.isEmpty || authentication.allowAnonymous || authentication.anonymous != nil else { return [] }
        var members: [(key: String, value: JSONValue)] = []
        if !config.consumers.isEmpty { members.append(("consumers", .array(config.consumers.map(json)))) }
        var object = JSONObject([("allowAnonymous", .bool(authentication.allowAnonymous))])
        if let anonymous = authentication.anonymous { object["anonymous"] = .object(limits(anonymous, into: JSONObject())) }
        members.append(("authentication", .object(object)))
        return members
    }

    private static func json(_ consumer: ConsumerConfig) -> JSONValue {
        var object = JSONObject([("name", .string(consumer.name)), ("keysDirectory", .string(consumer.keysDirectory))])
        if let models = consumer.allowedModels { object["allowedModels"] = .array(models.map { .string($0) }) }
        object = limits(consumer, into: object)
        if !consumer.models.isEmpty {
            object["models"] = .array(consumer.models.map { override in
                .object(windowsAndQuotas(override.rateLimits, override.tokenLimits, override.quotas,
                                         into: JSONObject([("match", .string(override.match))])))
            })
        }
        return .object(object)
    }

    /// The limit fields of a consumer (or of the anonymous limits), added to `object`.
    private static func limits(_ consumer: ConsumerConfig, into object: JSONObject) -> JSONObject {
        var object = windowsAndQuotas(consumer.rateLimits, consumer.tokenLimits, consumer.quotas, into: object)
        if consumer.metersTokens || consumer.models.contains(where: { !$0.tokenLimits.windows.isEmpty || !$0.quotas.isEmpty })
            || consumer.estimatedOutputTokens != ConsumerConfig.defaultEstimatedOutputTokens || consumer.midStreamExhaustion != .cut {
            object["estimatedOutputTokens"] = .number(JSONNumber(consumer.estimatedOutputTokens))
            object["midStreamExhaustion"] = .string(consumer.midStreamExhaustion.rawValue)
        }
        if let priority = consumer.priority { object["priority"] = .string(priority) }
        return object
    }

    /// `rateLimits` and `quotas` (of a consumer, the anonymous limits or a per-model override), added to `object`.
    private static func windowsAndQuotas(_ requests: RequestRateLimits, _ tokens: TokenRateLimits, _ quotas: ConsumerQuotas,
                                         into object: JSONObject) -> JSONObject {
        var object = object
        let windows = requests.windows.map { ($0.window.requestsField, JSONValue.number(JSONNumber($0.limit))) }
        let tokenWindows = tokens.windows.map { ($0.window.tokensField, JSONValue.number(JSONNumber($0.limit))) }
        if !windows.isEmpty || !tokenWindows.isEmpty {
            var limits = JSONObject(windows + tokenWindows)
            if !tokenWindows.isEmpty { limits["tokenCounting"] = .string(tokens.counting.rawValue) }
            object["rateLimits"] = .object(limits)
        }
        if !quotas.isEmpty {
            var members: [(key: String, value: JSONValue)] = []
            if let tokens = quotas.tokensPerDay { members.append(("tokensPerDay", .number(JSONNumber(tokens)))) }
            if let tokens = quotas.tokensPerMonth { members.append(("tokensPerMonth", .number(JSONNumber(tokens)))) }
            if let cost = quotas.costPerDay { members.append(("costPerDay", .number(JSONNumber(literal: "\(cost)")))) }
            if let cost = quotas.costPerMonth { members.append(("costPerMonth", .number(JSONNumber(literal: "\(cost)")))) }
            members.append(("currency", .string(quotas.currency)))
            object["quotas"] = .object(JSONObject(members))
        }
        return object
    }

    /// `defaults`' members, with the optional ones only when the config set them.
    private static func defaultsObject(_ defaults: DefaultsConfig, _ members: [(key: String, value: JSONValue)]) -> JSONObject {
        var object = JSONObject(members)
        if let value = defaults.maxBufferedBytes { object["maxBufferedBytes"] = .number(JSONNumber(value)) }
        if let priorities = defaults.priorities {
            var prioritiesObject = JSONObject([("levels", .array(priorities.levels.map(JSONValue.string))),
                                               ("default", .string(priorities.levels[priorities.defaultLevel]))])
            if let reserved = priorities.reservedPercent { prioritiesObject["reservedPercent"] = .number(JSONNumber(reserved)) }
            object["priorities"] = .object(prioritiesObject)
        }
        return object
    }

    private static func json(_ backend: BackendConfig) -> JSONValue {
        var object = JSONObject([
            ("name", .string(backend.name)),
            ("provider", .string(backend.provider.rawValue)),
            ("baseURL", .string(backend.baseURL.description)),
        ])
        if let credentials = backend.credentials {
            var credentialsObject = credentials.files.count == 1
                ? JSONObject([("file", .string(credentials.files[0]))])
                : JSONObject([("files", .array(credentials.files.map(JSONValue.string)))])
            credentialsObject["header"] = .string(credentials.header.rawValue)
            if credentials.cooldown != CredentialsConfig.defaultCooldown {
                credentialsObject["cooldown"] = .string(credentials.cooldown.configString)
            }
            object["credentials"] = .object(credentialsObject)
        }
        if !backend.models.isEmpty {
            object["models"] = .object(JSONObject(backend.models.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
        }
        if !backend.timeouts.isEmpty { object["timeouts"] = json(backend.timeouts) }
        if let tls = backend.tls {
            var tlsObject = JSONObject()
            if let caFile = tls.caFile { tlsObject["caFile"] = .string(caFile) }
            if tls.insecureSkipVerify { tlsObject["insecureSkipVerify"] = .bool(true) }
            object["tls"] = .object(tlsObject)
        }
        if let limit = backend.maxConcurrentRequests { object["maxConcurrentRequests"] = .number(JSONNumber(limit)) }
        addPolicies(of: backend, to: &object)
        addRegistry(of: backend, to: &object)
        return .object(object)
    }

    private static func json(_ timeouts: TimeoutOverrides) -> JSONValue {
        var object = JSONObject()
        if let value = timeouts.connect { object["connect"] = .string(value.configString) }
        if let value = timeouts.firstByte { object["firstByte"] = .string(value.configString) }
        if let value = timeouts.firstToken { object["firstToken"] = .string(value.configString) }
        if let value = timeouts.idle { object["idle"] = .string(value.configString) }
        if let value = timeouts.total { object["total"] = .string(value.configString) }
        return .object(object)
    }

    private static func json(_ route: RouteConfig) -> JSONValue {
        var object = JSONObject([("name", .string(route.name))])
        if let match = route.match {
            var matchObject = JSONObject()
            if let paths = match.paths { matchObject["paths"] = .array(paths.map(JSONValue.string)) }
            switch match.model {
            case nil: break
            case .exact(let text)?: matchObject["model"] = .object(JSONObject([("exact", .string(text))]))
            case .prefix(let text)?: matchObject["model"] = .object(JSONObject([("prefix", .string(text))]))
            case .glob(let text)?: matchObject["model"] = .object(JSONObject([("glob", .string(text))]))
            case .regex(let text)?: matchObject["model"] = .object(JSONObject([("regex", .string(text))]))
            case .oneOf(let names)?: matchObject["models"] = .array(names.map(JSONValue.string))
            }
            if !match.headers.isEmpty {
                matchObject["headers"] = .array(match.headers.map(json))
            }
            object["match"] = .object(matchObject)
        }
        object["split"] = .array(route.split.map { entry in
            var entryObject = JSONObject([("backend", .string(entry.backend)), ("weight", .number(JSONNumber(entry.weight)))])
            if let model = entry.model { entryObject["model"] = .string(model) }
            return .object(entryObject)
        })
        if let sticky = route.sticky { object["sticky"] = .object(JSONObject([("header", .string(sticky.header))])) }
        addResilience(of: route, to: &object)
        addAuto(of: route, to: &object)
        return .object(object)
    }
}

extension ProxyConfigEncoder {
    /// A header condition: `{"name": …, "exact" | "present" | "regex": …}`.
    static func json(_ header: HeaderMatch) -> JSONValue {
        let condition: (String, JSONValue)
        switch header.condition {
        case .exact(let text): condition = ("exact", .string(text))
        case .present(let flag): condition = ("present", .bool(flag))
        case .regex(let text): condition = ("regex", .string(text))
        }
        return .object(JSONObject([("name", .string(header.name)), condition]))
    }
}

extension ProxyConfig {
    /// `ProxyConfigEncoder.json(self)`, as `GET /config` shows it.
    package var jsonValue: JSONValue { ProxyConfigEncoder.json(self) }
}
