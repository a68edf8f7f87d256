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
        ] + consumerMembers(config)))
    }

    /// `consumers` and `authentication`, written only when the config has consumers or
    /// admits anonymous requests explicitly (otherwise both say what their absence says).
    private static func consumerMembers(_ config: ProxyConfig) -> [(key: String, value: JSONValue)] {
        guard !config.consumers.isEmpty || config.authentication.allowAnonymous else { return [] }
        var members: [(key: String, value: JSONValue)] = []
        if !config.consumers.isEmpty { members.append(("consumers", .array(config.consumers.map(json)))) }
        members.append(("authentication", .object(JSONObject([("allowAnonymous", .bool(config.authentication.allowAnonymous))]))))
        return members
    }

    private static func json(_ consumer: ConsumerConfig) -> JSONValue {
        var object = JSONObject([("name", .string(consumer.name)), ("keysDirectory", .string(consumer.keysDirectory))])
        if let models = consumer.allowedModels { object["allowedModels"] = .array(models.map { .string($0) }) }
        let windows = consumer.rateLimits.windows
        if !windows.isEmpty {
            object["rateLimits"] = .object(JSONObject(windows.map { ($0.window.requestsField, .number(JSONNumber($0.limit))) }))
        }
        return .object(object)
    }

    /// `defaults`' members, with the optional ones only when the config set them.
    private static func defaultsObject(_ defaults: DefaultsConfig, _ members: [(key: String, value: JSONValue)]) -> JSONObject {
        var object = JSONObject(members)
        if let value = defaults.maxBufferedBytes { object["maxBufferedBytes"] = .number(JSONNumber(value)) }
        if let priorities = defaults.priorities {
            object["priorities"] = .object(JSONObject([("levels", .array(priorities.levels.map(JSONValue.string))),
                                                       ("default", .string(priorities.levels[priorities.defaultLevel]))]))
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
            object["credentials"] = .object(JSONObject([("file", .string(credentials.file)), ("header", .string(credentials.header.rawValue))]))
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
