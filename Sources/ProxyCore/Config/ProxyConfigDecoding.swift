/// The state of one decode: the issues found so far. Created by `ProxyConfigDecoder` per
/// document; each `decode…` method records what it finds and returns nil for a part it
/// could not decode, so later checks still run on the rest.
struct ProxyConfigDecoding {
    let fileExists: (String) -> Bool
    var issues: [ConfigIssue] = []

    init(fileExists: @escaping (String) -> Bool) {
        self.fileExists = fileExists
    }

    mutating func report(_ path: String, _ message: String) {
        issues.append(ConfigIssue(path: path, message: message))
    }

    mutating func decodeDocument(_ value: JSONValue) -> ProxyConfig? {
        guard let root = ConfigObjectReader(value, at: "", allowed: ["apiVersion", "kind", "listeners", "defaults", "backends", "routes",
                                                                                 "consumers", "authentication", "redis", "guards", "cache"],
                                            issues: &issues) else { return nil }
        checkConstant(root, "apiVersion", ProxyConfig.apiVersion)
        checkConstant(root, "kind", ProxyConfig.kind)
        let listeners = root["listeners"].map { decodeListeners($0, at: "listeners") } ?? ListenersConfig()
        let defaults = root["defaults"].map { decodeDefaults($0, at: "defaults") } ?? DefaultsConfig()

        let backendsPath = root.path("backends")
        var backends: [BackendConfig?] = []
        var backendNames: [(name: String, path: String)] = []
        if let list = requiredArray(root["backends"], at: backendsPath, nonEmpty: "expected at least one backend") {
            for (index, element) in list.enumerated() {
                let path = JSONPath.element(backendsPath, index)
                backends.append(decodeBackend(element, at: path, names: &backendNames))
            }
        }

        let routesPath = root.path("routes")
        var routes: [RouteConfig?] = []
        if let list = requiredArray(root["routes"], at: routesPath, nonEmpty: "expected at least one route") {
            var routeNames: [(name: String, path: String)] = []
            for (index, element) in list.enumerated() {
                let path = JSONPath.element(routesPath, index)
                routes.append(decodeRoute(element, at: path, backendNames: backendNames.map(\.name),
                                          defaultTriggers: defaults?.fallbackOn ?? .default, names: &routeNames))
            }
            checkCatchAllIsLast(routes, at: routesPath)
            checkAutoCandidates(routes: routes, backends: backends, at: routesPath)
            checkSemanticBackends(routes: routes, backends: backends, at: routesPath)
        }

        let consumers = root["consumers"].map { decodeConsumers($0, at: root.path("consumers")) } ?? []
        let authentication = root["authentication"].map { decodeAuthentication($0, at: root.path("authentication")) }
            ?? AuthenticationConfig()
        let redis = root["redis"].map { decodeRedis($0, at: root.path("redis")) }
        checkCacheRedisTiers(routes, redis: redis ?? nil, at: root.path("routes"))
        if let consumers, let authentication {
            let parties = consumers.enumerated().map { ($1, JSONPath.element(root.path("consumers"), $0)) }
                + (authentication.anonymous.map { [($0, JSONPath.member(root.path("authentication"), "anonymous"))] } ?? [])
            let overrides = parties.flatMap { consumer, path in
                consumer.models.enumerated().map { ($1.party(of: consumer), JSONPath.element(JSONPath.member(path, "models"), $0)) }
            }
            checkQuotaCurrencies(parties + overrides, backends: backends.compactMap { $0 })
            // Classes that failed to decode have been reported; the parties' are checked against valid ones only.
            if defaults?.priorities != nil || !Self.hasMember(root["defaults"], "priorities") {
                checkPartyPriorities(parties, priorities: defaults?.priorities)
            }
            checkAnonymousLimits(authentication, consumers: consumers, at: root.path("authentication"))
        }

        let guards = root["guards"].map { decodeGuards($0, at: root.path("guards"), routeNames: routes.compactMap { $0?.name }) } ?? []
        let cache = root["cache"].map { decodeCache($0, at: root.path("cache")) } ?? .default

        guard let listeners, let defaults, backends.allSatisfy({ $0 != nil }), routes.allSatisfy({ $0 != nil }),
              !backends.isEmpty, !routes.isEmpty, let consumers, let authentication, redis != .some(nil), let guards, let cache
        else { return nil }
        return ProxyConfig(listeners: listeners, defaults: defaults, backends: backends.map { $0! }, routes: routes.map { $0! },
                           consumers: consumers, authentication: authentication, redis: redis ?? nil, guards: guards, cache: cache)
    }

    private mutating func checkConstant(_ root: ConfigObjectReader, _ key: String, _ expected: String) {
        let path = root.path(key)
        guard let value = root[key] else {
            return report(path, "required field is missing; expected \(ConfigIssue.quoted(expected))")
        }
        if value != .string(expected) {
            report(path, "\(ConfigIssue.found(value)) is not supported; expected \(ConfigIssue.quoted(expected))")
        }
    }

    /// Whether `value` is an object with a member `key`.
    private static func hasMember(_ value: JSONValue?, _ key: String) -> Bool {
        guard case .object(let object)? = value else { return false }
        return object[key] != nil
    }

    /// A catch-all before other routes would make them unreachable: almost certainly a mistake.
    private mutating func checkCatchAllIsLast(_ routes: [RouteConfig?], at path: String) {
        for (index, route) in routes.enumerated() where index < routes.count - 1 {
            guard let route, route.isCatchAll else { continue }
            let next = JSONPath.element(path, index + 1)
            report(JSONPath.element(path, index),
                   "route \(ConfigIssue.quoted(route.name)) has no match conditions, so it takes every request and \(next) and later routes are unreachable; move it last")
            return
        }
    }

    /// Records a duplicate-name issue, or remembers the name.
    /// `path` is the name's own path, `owner` the path of the object it names.
    mutating func checkUnique(_ name: String, kind: String, at path: String, owner: String,
                              names: inout [(name: String, path: String)]) {
        if let first = names.first(where: { $0.name == name }) {
            report(path, "duplicate \(kind) name \(ConfigIssue.quoted(name)) (first used by \(first.path))")
        } else {
            names.append((name, owner))
        }
    }
}
