/// `guards[]`: content guards, their rules and the routes they check.
extension ProxyConfigDecoding {
    static let guardKeys = ["name", "routes", "rules", "messages", "blockedResponse", "audit"]
    static let guardRuleKeys = ["name", "phase", "keywords", "regexes", "detectors", "moderation", "action", "message", "replacement"]
    /// The most rules in one guard.
    static let maxGuardRules = 64
    /// The longest block message and redaction replacement, in UTF-8 bytes.
    static let maxGuardMessageBytes = 4096
    static let maxGuardReplacementBytes = 256

    mutating func decodeGuards(_ value: JSONValue, at path: String, routeNames: [String]) -> [GuardConfig]? {
        guard case .array(let elements) = value else {
            report(path, "expected an array, found \(ConfigIssue.found(value))")
            return nil
        }
        var names: [(name: String, path: String)] = []
        var guards: [GuardConfig?] = []
        for (index, element) in elements.enumerated() {
            guards.append(decodeGuard(element, at: JSONPath.element(path, index), routeNames: routeNames, names: &names))
        }
        guard guards.allSatisfy({ $0 != nil }) else { return nil }
        let decoded = guards.map { $0! }
        checkOneGuardPerRoute(decoded, at: path, routeNames: routeNames)
        return decoded
    }

    /// A route checked by two guards would have two answers to a block: refused.
    private mutating func checkOneGuardPerRoute(_ guards: [GuardConfig], at path: String, routeNames: [String]) {
        for route in routeNames {
            let owners = guards.indices.filter { guards[$0].guards(route: route) }
            guard owners.count > 1 else { continue }
            report(JSONPath.element(path, owners[1]),
                   "route \(ConfigIssue.quoted(route)) is already checked by \(JSONPath.element(path, owners[0])); a route has at most one guard")
            return
        }
    }

    private mutating func decodeGuard(_ value: JSONValue, at path: String, routeNames: [String],
                                      names: inout [(name: String, path: String)]) -> GuardConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.guardKeys, issues: &issues) else { return nil }
        let before = issues.count
        let name = self.name(object["name"], at: object.path("name"))
        if let name { checkUnique(name, kind: "guard", at: object.path("name"), owner: path, names: &names) }
        var routes: [String]? = nil
        if let value = object["routes"],
           let list = array(value, at: object.path("routes"), nonEmpty: "expected at least one route name; omit \"routes\" to check every route") {
            routes = []
            for (index, element) in list.enumerated() {
                let elementPath = JSONPath.element(object.path("routes"), index)
                guard let route = string(element, at: elementPath, required: true) else { continue }
                if !routeNames.contains(route) {
                    report(elementPath, "no route is named \(ConfigIssue.quoted(route))")
                } else if routes?.contains(route) == true {
                    report(elementPath, "route \(ConfigIssue.quoted(route)) is listed twice")
                } else {
                    routes?.append(route)
                }
            }
        }
        var rules: [GuardRuleConfig?] = []
        if let list = requiredArray(object["rules"], at: object.path("rules"), nonEmpty: "expected at least one rule") {
            if list.count > Self.maxGuardRules {
                report(object.path("rules"), "\(list.count) rules are more than the \(Self.maxGuardRules) a guard may have")
            }
            var ruleNames: [(name: String, path: String)] = []
            for (index, element) in list.enumerated() {
                rules.append(decodeGuardRule(element, at: JSONPath.element(object.path("rules"), index), names: &ruleNames))
            }
        }
        let messages = object["messages"].map { decodeMessageScope($0, at: object.path("messages")) } ?? GuardMessageScope()
        let blocked = object["blockedResponse"].map { decodeBlockedResponse($0, at: object.path("blockedResponse")) }
            ?? .completion
        if rules.compactMap({ $0?.moderation }).count > 1 {
            report(object.path("rules"), "at most one rule of a guard may call a moderation service")
        }
        let auditFile = object["audit"].flatMap { decodeAudit($0, at: object.path("audit")) }
        guard issues.count == before, let name, !rules.isEmpty, rules.allSatisfy({ $0 != nil }), let messages, let blocked
        else { return nil }
        return GuardConfig(name: name, routes: routes, rules: rules.map { $0! }, messages: messages, blockedResponse: blocked,
                           auditFile: auditFile)
    }

    /// `audit: {"file": "/abs/path"}`: the file's path (the sidecar opens it when it loads the config).
    private mutating func decodeAudit(_ value: JSONValue, at path: String) -> String? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["file"], issues: &issues) else { return nil }
        guard let file = string(object["file"], at: object.path("file"), required: true) else { return nil }
        guard file.hasPrefix("/"), !file.hasSuffix("/"), file.utf8.count <= 4096, !file.utf8.contains(where: { $0 < 0x20 }) else {
            report(object.path("file"), "\(ConfigIssue.quoted(file)) is not an absolute file path such as \"/var/log/sluice/guard-audit.jsonl\"")
            return nil
        }
        return file
    }

    private mutating func decodeGuardRule(_ value: JSONValue, at path: String,
                                          names: inout [(name: String, path: String)]) -> GuardRuleConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.guardRuleKeys, issues: &issues) else { return nil }
        let before = issues.count
        let name = self.name(object["name"], at: object.path("name"))
        if let name { checkUnique(name, kind: "rule", at: object.path("name"), owner: path, names: &names) }
        let phase: GuardPhase? = object.has("phase") ? oneOf(object["phase"], at: object.path("phase"), required: true) : .request
        let keywords = strings(object["keywords"], at: object.path("keywords")) ?? []
        if !keywords.isEmpty {
            do {
                _ = try GuardKeywordMatcher(keywords: keywords)
            } catch {
                report(object.path("keywords"), Self.keywordProblem(error))
            }
        }
        let regexes = strings(object["regexes"], at: object.path("regexes")) ?? []
        for (index, pattern) in regexes.enumerated() {
            if let problem = ConfigIssue.regexProblem(pattern) { report(JSONPath.element(object.path("regexes"), index), problem) }
        }
        var detectors: [GuardDetector] = []
        if let value = object["detectors"],
           let list = array(value, at: object.path("detectors"), nonEmpty: "expected at least one detector; omit \"detectors\" for none") {
            for (index, element) in list.enumerated() {
                let elementPath = JSONPath.element(object.path("detectors"), index)
                guard let detector: GuardDetector = oneOf(element, at: elementPath, required: true) else { continue }
                if detectors.contains(detector) {
                    report(elementPath, "detector \(ConfigIssue.quoted(detector.rawValue)) is listed twice")
                } else {
                    detectors.append(detector)
                }
            }
        }
        let moderation = object["moderation"].flatMap { decodeModeration($0, at: object.path("moderation")) }
        if object.has("moderation") {
            if !keywords.isEmpty || !regexes.isEmpty || !detectors.isEmpty {
                report(object.path("moderation"), "a moderation rule has no \"keywords\", \"regexes\" or \"detectors\"; put them in a rule of their own")
            }
            if phase == .request, case .object(let hook)? = object["moderation"], hook["streamWindow"] != nil {
                report(JSONPath.member(object.path("moderation"), "streamWindow"), "applies to rules that check answers (phase \"response\" or \"both\")")
            }
            if case .string("redact")? = object["action"] { report(object.path("action"), "a moderation rule cannot redact; expected \"block\" or \"log\"") }
        } else if keywords.isEmpty, regexes.isEmpty, detectors.isEmpty, issues.count == before {
            report(path, "a rule needs at least one of \"keywords\", \"regexes\", \"detectors\" or \"moderation\"")
        }
        let action = decodeGuardAction(object, at: path)
        guard issues.count == before, let name, let phase, let action else { return nil }
        return GuardRuleConfig(name: name, phase: phase, keywords: keywords, regexes: regexes, detectors: detectors,
                               moderation: moderation, action: action)
    }

    private mutating func decodeGuardAction(_ object: ConfigObjectReader, at path: String) -> GuardAction? {
        guard let kind = string(object["action"], at: object.path("action"), required: true) else { return nil }
        let message = boundedText(object["message"], at: object.path("message"), maxBytes: Self.maxGuardMessageBytes)
        let replacement = boundedText(object["replacement"], at: object.path("replacement"), maxBytes: Self.maxGuardReplacementBytes)
        if kind != "block", object.has("message") { report(object.path("message"), "applies to the \"block\" action only") }
        if kind != "redact", object.has("replacement") { report(object.path("replacement"), "applies to the \"redact\" action only") }
        switch kind {
        case "block": return .block(message: message ?? GuardAction.defaultMessage)
        case "redact": return .redact(replacement: replacement ?? GuardAction.defaultReplacement)
        case "log": return .log
        default:
            report(object.path("action"), "\(ConfigIssue.quoted(kind)) is not one of \"block\", \"redact\", \"log\"")
            return nil
        }
    }

    private mutating func decodeModeration(_ value: JSONValue, at path: String) -> GuardModerationConfig? {
        let keys = ["url", "timeout", "failMode", "streamWindow", "thresholds", "credentials"]
        guard let object = ConfigObjectReader(value, at: path, allowed: keys, issues: &issues) else { return nil }
        let before = issues.count
        let url = backendURL(object["url"], at: object.path("url"))
        let timeout = object.has("timeout") ? duration(object["timeout"], at: object.path("timeout")) : GuardModerationConfig.defaultTimeout
        let failMode: GuardFailMode? = object.has("failMode") ? oneOf(object["failMode"], at: object.path("failMode"), required: true) : .closed
        let range = GuardModerationConfig.streamWindowRange
        let window = integer(object["streamWindow"], at: object.path("streamWindow"), in: range,
                             expected: "a number of characters from \(range.lowerBound) to \(range.upperBound)", required: false)
        let thresholds = object["thresholds"].map { decodeThresholds($0, at: object.path("thresholds")) } ?? [:]
        let credentials = object["credentials"].flatMap { decodeModerationCredentials($0, at: object.path("credentials")) }
        guard issues.count == before, let url, let timeout, let failMode, let thresholds else { return nil }
        return GuardModerationConfig(url: url, timeout: timeout, failMode: failMode,
                                     streamWindow: window ?? GuardModerationConfig.defaultStreamWindow, thresholds: thresholds,
                                     credentials: credentials)
    }

    /// `thresholds: {"hate": 0.5, …}`: any category name (providers add categories), each a
    /// score from 0 to 1.
    private mutating func decodeThresholds(_ value: JSONValue, at path: String) -> [String: Double]? {
        guard case .object(let object) = value else {
            report(path, "expected an object of category names and scores such as {\"hate\": 0.5}, found \(ConfigIssue.found(value))")
            return nil
        }
        guard !object.members.isEmpty else {
            report(path, "expected at least one category; omit \"thresholds\" to use the service's \"flagged\"")
            return nil
        }
        let before = issues.count
        if object.members.count > GuardModerationConfig.maxThresholds {
            report(path, "\(object.members.count) categories are more than the \(GuardModerationConfig.maxThresholds) allowed")
        }
        var thresholds: [String: Double] = [:]
        for (category, score) in object.members {
            let memberPath = JSONPath.member(path, category)
            guard GuardModerationConfig.isCategoryName(category) else {
                report(memberPath, "expected a category name of 1 to \(GuardModerationConfig.maxCategoryBytes) bytes without control characters")
                continue
            }
            guard case .number(let number) = score, let threshold = number.double, threshold >= 0, threshold <= 1 else {
                report(memberPath, "\(ConfigIssue.found(score)) is not a score from 0 to 1")
                continue
            }
            thresholds[category] = threshold  // the parser refuses duplicate keys
        }
        return issues.count == before ? thresholds : nil
    }

    /// `credentials: {"file": "moderation/api-key", "header": "authorization"}`: the key file and how it is sent.
    private mutating func decodeModerationCredentials(_ value: JSONValue, at path: String) -> GuardModerationCredentials? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["file", "header"], issues: &issues) else { return nil }
        let before = issues.count
        let file = secretFile(object["file"], at: object.path("file"), required: true)
        let header: CredentialHeader? = object.has("header") ? oneOf(object["header"], at: object.path("header"), required: true) : .authorization
        guard issues.count == before, let file, let header else { return nil }
        return GuardModerationCredentials(file: file, header: header)
    }

    private mutating func decodeMessageScope(_ value: JSONValue, at path: String) -> GuardMessageScope? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["roles", "scope"], issues: &issues) else { return nil }
        let before = issues.count
        var roles: [GuardMessageRole] = [.user]
        if let value = object["roles"],
           let list = array(value, at: object.path("roles"), nonEmpty: "expected at least one role; omit \"roles\" to check user messages") {
            roles = []
            for (index, element) in list.enumerated() {
                let elementPath = JSONPath.element(object.path("roles"), index)
                guard let role: GuardMessageRole = oneOf(element, at: elementPath, required: true) else { continue }
                if roles.contains(role) { report(elementPath, "role \(ConfigIssue.quoted(role.rawValue)) is listed twice") } else { roles.append(role) }
            }
        }
        var lastOnly = false
        if let scope = string(object["scope"], at: object.path("scope"), required: false) {
            switch scope {
            case "all": lastOnly = false
            case "last": lastOnly = true
            default: report(object.path("scope"), "\(ConfigIssue.quoted(scope)) is not one of \"all\", \"last\"")
            }
        }
        guard issues.count == before else { return nil }
        return GuardMessageScope(roles: roles, lastOnly: lastOnly)
    }

    private mutating func decodeBlockedResponse(_ value: JSONValue, at path: String) -> GuardBlockedResponse? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["mode", "status"], issues: &issues) else { return nil }
        let before = issues.count
        let mode = string(object["mode"], at: object.path("mode"), required: false) ?? "completion"
        let status = integer(object["status"], at: object.path("status"), in: 400...499, expected: "a status from 400 to 499",
                             required: false)
        switch mode {
        case "completion":
            if object.has("status") { report(object.path("status"), "applies to mode \"error\" only") }
            return issues.count == before ? .completion : nil
        case "error":
            return issues.count == before ? .error(status: status ?? 400) : nil
        default:
            report(object.path("mode"), "\(ConfigIssue.quoted(mode)) is not one of \"completion\", \"error\"")
            return nil
        }
    }

    /// An optional array of non-empty strings; nil when absent or wrong (with an issue).
    private mutating func strings(_ value: JSONValue?, at path: String) -> [String]? {
        guard let value else { return nil }
        guard let list = array(value, at: path, nonEmpty: "expected at least one entry; omit the field for none") else { return nil }
        var result: [String] = []
        for (index, element) in list.enumerated() {
            if let text = string(element, at: JSONPath.element(path, index), required: true) { result.append(text) }
        }
        return result.count == list.count ? result : nil
    }

    private mutating func boundedText(_ value: JSONValue?, at path: String, maxBytes: Int) -> String? {
        guard let text = string(value, at: path, required: false) else { return nil }
        guard text.utf8.count <= maxBytes else {
            report(path, "\(text.utf8.count) bytes are more than the \(maxBytes) allowed")
            return nil
        }
        return text
    }

    private static func keywordProblem(_ error: GuardKeywordError) -> String {
        switch error {
        case .empty(let index): "keyword \(index) is empty"
        case .tooLong(let index, let bytes): "keyword \(index) is \(bytes) bytes long; at most \(GuardKeywordMatcher.maxKeywordBytes) are allowed"
        case .tooMany(let count): "\(count) keywords are more than the \(GuardKeywordMatcher.maxKeywords) allowed"
        case .tooManyBytes(let total): "the keywords take \(total) bytes; at most \(GuardKeywordMatcher.maxTotalBytes) are allowed"
        }
    }
}
