import ProxyCore

/// An `LLMGuardPolicy`: content-safety rules used by route rules (see docs/crds.md), translated
/// to the proxy config's `guards[]`.
package struct LLMGuardPolicy: Hashable, Sendable {
    package struct Rule: Hashable, Sendable {
        package var name: String
        package var phase = "request"
        package var keywords: [String] = []
        package var regex: [String] = []
        package var detectors: [String] = []
        package var caseSensitive = false
        package var action = "block"
        package var message: String?
        package var replacement: String?
        /// `moderation`: the service's URL, time limit and fail mode.
        package var moderationURL: String?
        package var moderationTimeout: ProxyDuration?
        package var moderationFailMode = "closed"
        /// `moderation.streamWindow`: characters of a streamed answer per call.
        package var moderationStreamWindow: Int?
        /// `moderation.thresholds`: category → the score above which it flags.
        package var moderationThresholds: [String: Double] = [:]
        /// `moderation.credentials`: the Secret key sent to the service, and the header it goes in.
        package var moderationSecret: SecretKeyRef?
        package var moderationHeader: CredentialHeader = .authorization
    }

    package struct Spec: Hashable, Sendable {
        package var rules: [Rule] = []
        package var blockedMode = "completion"
        package var blockedStatusCode: Int?
        /// `messages.roles` and `messages.scope`.
        package var roles: [String] = ["user"]
        package var scope = "all"
        /// `audit.file`: an absolute path the audit lines are appended to.
        package var auditFile: String?
    }

    package var meta: ResourceMeta
    package var spec: Spec

    static func decodeSpec(_ value: JSONValue?, decoding d: inout SpecDecoding) -> Spec? {
        guard let object = d.object(value, at: "spec", allowed: ["rules", "blockedResponse", "messages", "audit"], required: ["rules"]) else { return nil }
        let before = d.issues.count
        var spec = Spec()
        let rulesPath = object.path("rules")
        for (index, element) in (d.array(object["rules"], at: rulesPath, min: 1, max: 64) ?? []).enumerated() {
            let rulePath = JSONPath.element(rulesPath, index)
            guard let rule = d.object(element, at: rulePath, allowed: ["name", "phase", "match", "moderation", "action", "message", "replacement"],
                                      required: ["name", "action"]),
                  let name = d.objectName(rule["name"], at: rule.path("name"), maxLength: 63)
            else { continue }
            var decoded = Rule(name: name)
            decoded.phase = d.choice(rule["phase"], at: rule.path("phase"), ["request", "response", "both"]) ?? "request"
            decoded.action = d.choice(rule["action"], at: rule.path("action"), ["block", "redact", "log"]) ?? "block"
            decoded.message = d.string(rule["message"], at: rule.path("message"))
            decoded.replacement = d.string(rule["replacement"], at: rule.path("replacement"), maxLength: 256)
            if decoded.message != nil && decoded.action != "block" { d.report(rule.path("message"), "only a block rule has a message") }
            if decoded.replacement != nil && decoded.action != "redact" { d.report(rule.path("replacement"), "only a redact rule has a replacement") }
            if let moderation = d.optionalObject(rule["moderation"], at: rule.path("moderation"),
                                                 allowed: ["url", "timeout", "failMode", "streamWindow", "thresholds", "credentials"], required: ["url"]) {
                decoded.moderationURL = d.string(moderation["url"], at: moderation.path("url"), nonEmpty: true)
                decoded.moderationTimeout = d.duration(moderation["timeout"], at: moderation.path("timeout"))
                decoded.moderationFailMode = d.choice(moderation["failMode"], at: moderation.path("failMode"), ["open", "closed"]) ?? "closed"
                decoded.moderationStreamWindow = d.integer(moderation["streamWindow"], at: moderation.path("streamWindow"),
                                                           in: GuardModerationConfig.streamWindowRange)
                decoded.moderationThresholds = decodeThresholds(moderation["thresholds"], at: moderation.path("thresholds"), decoding: &d)
                if let credentials = d.optionalObject(moderation["credentials"], at: moderation.path("credentials"), allowed: ["secretRef", "header"],
                                                      required: ["secretRef"]) {
                    decoded.moderationSecret = SecretKeyRef.decode(credentials["secretRef"], at: credentials.path("secretRef"), defaultKey: "api-key",
                                                                   decoding: &d)
                    if let header = d.choice(credentials["header"], at: credentials.path("header"), CredentialHeader.allCases.map(\.rawValue)) {
                        decoded.moderationHeader = CredentialHeader(rawValue: header) ?? .authorization
                    }
                }
                if decoded.moderationStreamWindow != nil && decoded.phase == "request" {
                    d.report(moderation.path("streamWindow"), "applies to rules that check answers (phase response or both)")
                }
                if decoded.action == "redact" { d.report(rule.path("action"), "a moderation rule blocks or logs; it cannot redact") }
                if rule["match"] != nil { d.report(rule.path("moderation"), "a rule has either match or moderation, not both") }
            } else if rule["match"] == nil {
                d.report(rule.path, "needs match or moderation")
            }
            if let match = d.optionalObject(rule["match"], at: rule.path("match"), allowed: ["keywords", "regex", "detectors", "caseSensitive"]) {
                decoded.keywords = (d.array(match["keywords"], at: match.path("keywords"), max: 1024) ?? []).enumerated()
                    .compactMap { d.string($1, at: JSONPath.element(match.path("keywords"), $0), maxLength: 256, nonEmpty: true) }
                decoded.regex = (d.array(match["regex"], at: match.path("regex"), max: 64) ?? []).enumerated()
                    .compactMap { d.string($1, at: JSONPath.element(match.path("regex"), $0), maxLength: 1024, nonEmpty: true) }
                decoded.detectors = (d.array(match["detectors"], at: match.path("detectors"), max: GuardDetector.allCases.count) ?? [])
                    .enumerated().compactMap { d.choice($1, at: JSONPath.element(match.path("detectors"), $0), GuardDetector.allCases.map(\.rawValue)) }
                decoded.caseSensitive = d.bool(match["caseSensitive"], at: match.path("caseSensitive")) ?? false
                if decoded.keywords.isEmpty && decoded.regex.isEmpty && decoded.detectors.isEmpty {
                    d.report(match.path, "needs at least one keyword, regex or detector")
                }
            }
            if spec.rules.contains(where: { $0.name == name }) { d.report(rule.path("name"), "duplicate rule name \(SpecDecoding.quoted(name))") }
            spec.rules.append(decoded)
        }
        if let blocked = d.optionalObject(object["blockedResponse"], at: object.path("blockedResponse"), allowed: ["mode", "statusCode"]) {
            spec.blockedMode = d.choice(blocked["mode"], at: blocked.path("mode"), ["completion", "error"]) ?? "completion"
            spec.blockedStatusCode = d.integer(blocked["statusCode"], at: blocked.path("statusCode"), in: 400...499)
            if spec.blockedStatusCode != nil && spec.blockedMode != "error" { d.report(blocked.path("statusCode"), "only mode \"error\" has a status code") }
        }
        if let messages = d.optionalObject(object["messages"], at: object.path("messages"), allowed: ["roles", "scope"]) {
            if let roles = d.array(messages["roles"], at: messages.path("roles"), min: 1, max: 4) {
                spec.roles = roles.enumerated().compactMap { d.choice($1, at: JSONPath.element(messages.path("roles"), $0), GuardMessageRole.allCases.map(\.rawValue)) }
            }
            spec.scope = d.choice(messages["scope"], at: messages.path("scope"), ["all", "last"]) ?? "all"
        }
        if let audit = d.optionalObject(object["audit"], at: object.path("audit"), allowed: ["file"], required: ["file"]) {
            spec.auditFile = d.string(audit["file"], at: audit.path("file"), maxLength: 4096, nonEmpty: true)
            // The injected sidecar's root filesystem is read-only: its only writable place is
            // the `emptyDir` the injector mounts at `InjectionSettings.auditDirectory`.
            let directory = InjectionSettings.auditDirectory + "/"
            if let file = spec.auditFile,
               !file.hasPrefix(directory) || file.hasSuffix("/") || file.utf8.count == directory.utf8.count
                   || file.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) {
                d.report(audit.path("file"), "\(SpecDecoding.quoted(file)) is not a file in \(directory), the sidecar's only writable directory, such as \"\(directory)guard-audit.jsonl\"")
            }
        }
        return d.issues.count == before ? spec : nil
    }

    /// `moderation.thresholds`: any category name (providers add categories), each a score from 0 to 1.
    private static func decodeThresholds(_ value: JSONValue?, at path: String, decoding d: inout SpecDecoding) -> [String: Double] {
        guard let value else { return [:] }
        guard case .object(let object) = value, (1...GuardModerationConfig.maxThresholds).contains(object.members.count) else {
            d.report(path, "expected 1 to \(GuardModerationConfig.maxThresholds) category names with a score from 0 to 1, such as {\"hate\": 0.5}")
            return [:]
        }
        var thresholds: [String: Double] = [:]
        for (category, score) in object.members {
            let memberPath = JSONPath.member(path, category)
            guard GuardModerationConfig.isCategoryName(category) else {
                d.report(memberPath, "expected a category name of 1 to \(GuardModerationConfig.maxCategoryBytes) bytes without control characters")
                continue
            }
            guard case .number(let number) = score, let threshold = number.double, (0...1).contains(threshold) else {
                d.report(memberPath, "expected a score from 0 to 1")
                continue
            }
            thresholds[category] = threshold
        }
        return thresholds
    }
}
