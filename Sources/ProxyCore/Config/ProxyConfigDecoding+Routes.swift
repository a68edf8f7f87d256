/// `routes[i]`: name, match, split, sticky; the resilience fields in `+Resilience`.
extension ProxyConfigDecoding {
    static let routeKeys = ["name", "match", "split", "sticky", "fallback", "retry", "deadline", "maxAttempts", "truncation", "cache", "auto"]

    /// `defaultTriggers` is `defaults.fallbackOn`, for checks that depend on the effective triggers.
    mutating func decodeRoute(_ value: JSONValue, at path: String, backendNames: [String], defaultTriggers: FallbackTriggers,
                              names: inout [(name: String, path: String)]) -> RouteConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.routeKeys, issues: &issues)
        else { return nil }
        let before = issues.count
        let name = self.name(object["name"], at: object.path("name"))
        if let name { checkUnique(name, kind: "route", at: object.path("name"), owner: path, names: &names) }
        let match = object["match"].flatMap { decodeMatch($0, at: object.path("match")) }
        let split = decodeSplit(object["split"], at: object.path("split"), backendNames: backendNames)
        var sticky: StickyConfig? = nil
        if let value = object["sticky"],
           let stickyObject = ConfigObjectReader(value, at: object.path("sticky"), allowed: ["header"], issues: &issues),
           let header = headerName(stickyObject["header"], at: stickyObject.path("header")) {
            sticky = StickyConfig(header: header)
        }
        let fallback = object["fallback"].flatMap {
            decodeFallback($0, at: object.path("fallback"), backendNames: backendNames, split: split)
        }
        let retry = object["retry"].flatMap { decodeRetry($0, at: object.path("retry")) }
        let deadline = duration(object["deadline"], at: object.path("deadline"))
        let maxAttempts = decodeMaxAttempts(object["maxAttempts"], at: object.path("maxAttempts"))
        let truncation = object["truncation"].flatMap {
            decodeTruncation($0, at: object.path("truncation"), fallback: fallback, defaultTriggers: defaultTriggers)
        }
        let cache = object["cache"].flatMap { decodeRouteCache($0, at: object.path("cache")) }
        let auto = object["auto"].flatMap { decodeAuto($0, at: object.path("auto"), match: match) } ?? []
        guard issues.count == before, let name, let split else { return nil }
        return RouteConfig(name: name, match: match, split: split, sticky: sticky, fallback: fallback, retry: retry,
                           deadline: deadline, maxAttempts: maxAttempts, truncation: truncation, cache: cache, auto: auto)
    }

    private mutating func decodeMatch(_ value: JSONValue, at path: String) -> RouteMatchConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["paths", "model", "models", "headers"], issues: &issues)
        else { return nil }
        let before = issues.count
        var paths: [String]? = nil
        if let value = object["paths"],
           let list = array(value, at: object.path("paths"), nonEmpty: "expected at least one path (omit \"paths\" to match any path)") {
            paths = []
            for (index, element) in list.enumerated() {
                let elementPath = JSONPath.element(object.path("paths"), index)
                guard let text = string(element, at: elementPath, required: true) else { continue }
                let valid = text.utf8.first == UInt8(ascii: "/")
                    && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
                if valid { paths?.append(text) } else {
                    report(elementPath, "\(ConfigIssue.quoted(text)) is not a request path; expected a path such as \"/v1/chat/completions\"")
                }
            }
        }
        var model: ModelMatch? = nil
        if object.has("model") && object.has("models") {
            report(path, "\"model\" and \"models\" are mutually exclusive; use one")
        } else if let value = object["model"] {
            model = decodeModelMatch(value, at: object.path("model"))
        } else if let value = object["models"],
                  let list = array(value, at: object.path("models"), nonEmpty: "expected at least one model name") {
            var names: [String] = []
            for (index, element) in list.enumerated() {
                if let name = string(element, at: JSONPath.element(object.path("models"), index), required: true) {
                    names.append(name)
                }
            }
            model = .oneOf(names)
        }
        var headers: [HeaderMatch] = []
        if let value = object["headers"], let list = array(value, at: object.path("headers"), nonEmpty: "expected at least one header condition (omit \"headers\" to match any headers)") {
            for (index, element) in list.enumerated() {
                if let header = decodeHeaderMatch(element, at: JSONPath.element(object.path("headers"), index)) {
                    headers.append(header)
                }
            }
        }
        guard issues.count == before else { return nil }
        return RouteMatchConfig(paths: paths, model: model, headers: headers)
    }

    private mutating func decodeModelMatch(_ value: JSONValue, at path: String) -> ModelMatch? {
        let kinds = ["exact", "prefix", "glob", "regex"]
        guard let object = ConfigObjectReader(value, at: path, allowed: kinds, issues: &issues),
              let kind = exactlyOne(of: kinds, in: object),
              let text = string(object[kind], at: object.path(kind), required: true)
        else { return nil }
        switch kind {
        case "exact": return .exact(text)
        case "prefix": return .prefix(text)
        case "glob": return .glob(text)
        default: return checkRegex(text, at: object.path(kind)) ? .regex(text) : nil
        }
    }

    mutating func decodeHeaderMatch(_ value: JSONValue, at path: String) -> HeaderMatch? {
        let kinds = ["exact", "present", "regex"]
        guard let object = ConfigObjectReader(value, at: path, allowed: ["name"] + kinds, issues: &issues) else { return nil }
        let name = headerName(object["name"], at: object.path("name"))
        guard let kind = exactlyOne(of: kinds, in: object) else { return nil }
        let condition: HeaderMatch.Condition?
        switch kind {
        case "present":
            condition = bool(object[kind], at: object.path(kind)).map(HeaderMatch.Condition.present)
        case "exact":
            // An empty value is a legitimate thing to require, unlike an empty model name.
            if case .string(let text)? = object[kind] { condition = .exact(text) } else {
                report(object.path(kind), "expected a string, found \(ConfigIssue.found(object[kind] ?? .null))")
                condition = nil
            }
        default:
            condition = string(object[kind], at: object.path(kind), required: true)
                .flatMap { checkRegex($0, at: object.path(kind)) ? .regex($0) : nil }
        }
        guard let name, let condition else { return nil }
        return HeaderMatch(name: name, condition: condition)
    }

    /// Compiles `pattern` once to see that it is valid; the route table compiles it again.
    private mutating func checkRegex(_ pattern: String, at path: String) -> Bool {
        guard let problem = ConfigIssue.regexProblem(pattern) else { return true }
        report(path, problem)
        return false
    }

    private mutating func decodeSplit(_ value: JSONValue?, at path: String, backendNames: [String]) -> [SplitEntryConfig]? {
        guard let list = requiredArray(value, at: path, nonEmpty: "expected at least one entry") else { return nil }
        let before = issues.count
        var entries: [SplitEntryConfig] = []
        for (index, element) in list.enumerated() {
            let entryPath = JSONPath.element(path, index)
            guard let object = ConfigObjectReader(element, at: entryPath, allowed: ["backend", "weight", "model"], issues: &issues)
            else { continue }
            let backend = string(object["backend"], at: object.path("backend"), required: true)
            if let backend { checkBackendExists(backend, at: object.path("backend"), backendNames: backendNames) }
            let weight = integer(object["weight"], at: object.path("weight"), in: 0...SplitEntryConfig.maxWeight,
                                 expected: "a non-negative integer", required: true)
            let model = string(object["model"], at: object.path("model"), required: false)
            if let backend, let weight { entries.append(SplitEntryConfig(backend: backend, weight: weight, model: model)) }
        }
        guard issues.count == before else { return nil }
        if entries.allSatisfy({ $0.weight == 0 }) {
            report(path, "weights sum to 0; at least one entry needs a positive weight")
            return nil
        }
        return entries
    }
}
