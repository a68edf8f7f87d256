/// `consumers[]` and `authentication`.
extension ProxyConfigDecoding {
    /// The name the metrics and the access log give requests without a consumer; no consumer may take it.
    static let anonymousConsumer = "anonymous"
    static let consumerKeys = ["name", "keysDirectory", "allowedModels", "rateLimits"]

    mutating func decodeConsumers(_ value: JSONValue, at path: String) -> [ConsumerConfig]? {
        guard case .array(let elements) = value else {
            report(path, "expected an array, found \(ConfigIssue.found(value))")
            return nil
        }
        var names: [(name: String, path: String)] = []
        var consumers: [ConsumerConfig?] = []
        for (index, element) in elements.enumerated() {
            consumers.append(decodeConsumer(element, at: JSONPath.element(path, index), names: &names))
        }
        guard consumers.allSatisfy({ $0 != nil }) else { return nil }
        return consumers.map { $0! }
    }

    private mutating func decodeConsumer(_ value: JSONValue, at path: String,
                                         names: inout [(name: String, path: String)]) -> ConsumerConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.consumerKeys,
                                              issues: &issues) else { return nil }
        let name = self.name(object["name"], at: object.path("name"))
        if let name {
            if name == Self.anonymousConsumer {
                report(object.path("name"), "\(ConfigIssue.quoted(name)) is reserved for requests without a consumer")
            } else {
                checkUnique(name, kind: "consumer", at: object.path("name"), owner: path, names: &names)
            }
        }
        let directory = secretFile(object["keysDirectory"], at: object.path("keysDirectory"), required: true)
        let models = object["allowedModels"].map { allowedModels($0, at: object.path("allowedModels")) }
        let limits = object["rateLimits"].map { decodeRequestRateLimits($0, at: object.path("rateLimits")) } ?? RequestRateLimits()
        guard let name, let directory, models != .some(nil), let limits else { return nil }
        return ConsumerConfig(name: name, keysDirectory: directory, allowedModels: models ?? nil, rateLimits: limits)
    }

    private mutating func allowedModels(_ value: JSONValue, at path: String) -> [String]? {
        guard let elements = array(value, at: path, nonEmpty: "expected at least one model or glob; omit the field to allow every model")
        else { return nil }
        var models: [String] = []
        for (index, element) in elements.enumerated() {
            guard let model = string(element, at: JSONPath.element(path, index), required: true) else { continue }
            models.append(model)
        }
        return models.count == elements.count ? models : nil
    }

    private mutating func decodeRequestRateLimits(_ value: JSONValue, at path: String) -> RequestRateLimits? {
        let fields = RateLimitWindow.allCases.map(\.requestsField)
        guard let object = ConfigObjectReader(value, at: path, allowed: fields, issues: &issues) else { return nil }
        var limits: [Int?] = []
        var valid = true
        for field in fields {
            let limit = integer(object[field], at: object.path(field), in: 1...1_000_000_000, expected: "a positive integer",
                                required: false)
            if object[field] != nil, limit == nil { valid = false }
            limits.append(limit)
        }
        guard valid else { return nil }
        return RequestRateLimits(perSecond: limits[0], perMinute: limits[1], perHour: limits[2], perDay: limits[3])
    }

    mutating func decodeAuthentication(_ value: JSONValue, at path: String) -> AuthenticationConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["allowAnonymous"], issues: &issues) else { return nil }
        let allow = bool(object["allowAnonymous"], at: object.path("allowAnonymous"))
        if object["allowAnonymous"] != nil, allow == nil { return nil }
        return AuthenticationConfig(allowAnonymous: allow ?? false)
    }
}
