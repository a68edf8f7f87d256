/// `listeners` and `defaults`.
extension ProxyConfigDecoding {
    mutating func decodeListeners(_ value: JSONValue, at path: String) -> ListenersConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["app", "admin", "metrics"], issues: &issues) else { return nil }
        let app = listener(object, "app", default: ListenersConfig.defaultApp)
        let admin = listener(object, "admin", default: ListenersConfig.defaultAdmin)
        let metrics = listener(object, "metrics", default: ListenersConfig.defaultMetrics)
        if let admin, !admin.isLoopback {
            report(object.path("admin"), "\(ConfigIssue.quoted(admin.description)) is not a loopback address; the admin listener must bind 127.0.0.1 or [::1]")
        }
        // Two listeners on one port cannot both bind (port 0 picks a free port for each).
        let named = [("app", app), ("admin", admin), ("metrics", metrics)]
        for (index, (key, address)) in named.enumerated() {
            guard let address, address.port != 0 else { continue }
            if let earlier = named[..<index].first(where: { $0.1?.port == address.port }) {
                report(object.path(key), "port \(address.port) is already used by \(object.path(earlier.0))")
            }
        }
        guard let app, let admin, let metrics else { return nil }
        return ListenersConfig(app: app, admin: admin, metrics: metrics)
    }

    private mutating func listener(_ object: ConfigObjectReader, _ key: String, default: ListenerAddress) -> ListenerAddress? {
        guard let value = object[key] else { return `default` }
        guard case .string(let text) = value, let address = ListenerAddress(parsing: text) else {
            report(object.path(key), "\(ConfigIssue.found(value)) is not a numeric host:port address; expected an address such as \"127.0.0.1:4000\" or \"[::1]:4000\"")
            return nil
        }
        return address
    }

    static let defaultsKeys = ["timeouts", "maxRequestBodyBytes", "maxBufferedBytes", "retry", "deadline", "maxAttempts", "fallbackOn", "priorities"]

    mutating func decodeDefaults(_ value: JSONValue, at path: String) -> DefaultsConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.defaultsKeys, issues: &issues) else { return nil }
        var timeouts: TimeoutsConfig? = .default
        if let value = object["timeouts"] {
            timeouts = decodeTimeouts(value, at: object.path("timeouts")).map(TimeoutsConfig.default.applying)
        }
        var maxBody: Int? = DefaultsConfig.defaultMaxRequestBodyBytes
        if object.has("maxRequestBodyBytes") {
            maxBody = integer(object["maxRequestBodyBytes"], at: object.path("maxRequestBodyBytes"),
                              in: 1...DefaultsConfig.maxRequestBodyBytesLimit, expected: "a positive integer", required: true)
        }
        var maxBuffered: Int?
        if object.has("maxBufferedBytes") {
            maxBuffered = integer(object["maxBufferedBytes"], at: object.path("maxBufferedBytes"),
                                  in: 1...(4 * DefaultsConfig.maxRequestBodyBytesLimit), expected: "a positive integer", required: true)
            if let maxBuffered, let maxBody, maxBuffered < maxBody {
                issues.append(ConfigIssue(path: object.path("maxBufferedBytes"),
                                          message: "must be at least maxRequestBodyBytes (\(maxBody)), or no request could be buffered"))
            }
        }
        let before = issues.count
        let retry = object["retry"].map { decodeRetry($0, at: object.path("retry")) } ?? .default
        let deadline = object.has("deadline") ? duration(object["deadline"], at: object.path("deadline")) : DefaultsConfig.defaultDeadline
        let maxAttempts = object.has("maxAttempts") ? decodeMaxAttempts(object["maxAttempts"], at: object.path("maxAttempts"))
            : DefaultsConfig.defaultMaxAttempts
        let fallbackOn = object["fallbackOn"].map { decodeTriggers($0, at: object.path("fallbackOn")) } ?? .default
        let priorities = object["priorities"].flatMap { decodePriorities($0, at: object.path("priorities")) }
        guard issues.count == before, let timeouts, let maxBody, let retry, let deadline, let maxAttempts, let fallbackOn
        else { return nil }
        return DefaultsConfig(timeouts: timeouts, maxRequestBodyBytes: maxBody, maxBufferedBytes: maxBuffered, retry: retry, deadline: deadline,
                              maxAttempts: maxAttempts, fallbackOn: fallbackOn, priorities: priorities)
    }

    /// A `timeouts` object, in `defaults` or in a backend: every field optional.
    mutating func decodeTimeouts(_ value: JSONValue, at path: String) -> TimeoutOverrides? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["connect", "firstByte", "firstToken", "idle", "total"], issues: &issues)
        else { return nil }
        let before = issues.count
        let overrides = TimeoutOverrides(connect: duration(object["connect"], at: object.path("connect")),
                                         firstByte: duration(object["firstByte"], at: object.path("firstByte")),
                                         firstToken: duration(object["firstToken"], at: object.path("firstToken")),
                                         idle: duration(object["idle"], at: object.path("idle")),
                                         total: duration(object["total"], at: object.path("total")))
        return issues.count == before ? overrides : nil
    }
}
