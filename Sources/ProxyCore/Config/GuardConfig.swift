/// A content guard (`guards[]`): rules run on prompts before they go upstream and on answers as
/// they stream back (`docs/guard.md`), attached to the routes it names.
package struct GuardConfig: Hashable, Sendable {
    /// Unique among guards; names the guard in the audit log.
    package let name: String
    /// The routes this guard checks; nil: every route (gateway-wide). A route has at most one guard.
    package let routes: [String]?
    /// Checked in order; at least one.
    package let rules: [GuardRuleConfig]
    /// Which messages of a request are checked.
    package let messages: GuardMessageScope
    /// How a blocked request is answered.
    package let blockedResponse: GuardBlockedResponse
    /// An absolute path the guard's audit lines are appended to, besides stderr (`audit.file`).
    package let auditFile: String?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, routes: [String]? = nil, rules: [GuardRuleConfig], messages: GuardMessageScope = .init(),
                 blockedResponse: GuardBlockedResponse = .completion, auditFile: String? = nil) {
        self.name = name
        self.routes = routes
        self.rules = rules
        self.messages = messages
        self.blockedResponse = blockedResponse
        self.auditFile = auditFile
    }

    /// Whether the guard applies to the route named `route`.
    package func guards(route: String) -> Bool { routes?.contains(route) ?? true }
}

/// One guard rule: what it looks for, where, and what a match does.
package struct GuardRuleConfig: Hashable, Sendable {
    /// Unique in its guard; the `rule` label of `sluice_guard_decisions_total` and the audit log say it.
    package let name: String
    package let phase: GuardPhase
    /// Matched case-insensitively (simple Unicode case folding, `docs/guard.md`), all in one pass.
    package let keywords: [String]
    /// Linear-time regexes (`LinearRegex`); a match is at most `GuardRegexMatcher.maxMatchBytes` long.
    package let regexes: [String]
    package let detectors: [GuardDetector]
    /// An external moderation service asked about the prompt and/or the answer (alone in its rule).
    package let moderation: GuardModerationConfig?
    package let action: GuardAction

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, phase: GuardPhase = .request, keywords: [String] = [], regexes: [String] = [],
                 detectors: [GuardDetector] = [], moderation: GuardModerationConfig? = nil, action: GuardAction) {
        self.name = name
        self.phase = phase
        self.keywords = keywords
        self.regexes = regexes
        self.detectors = detectors
        self.moderation = moderation
        self.action = action
    }
}

/// An external moderation hook: the prompt's checked texts (and/or the answer's text, in
/// windows on streams) are POSTed as OpenAI's `/v1/moderations` request (`{"input": [...]}`);
/// the answer's `results[]` say whether it is a match (`GuardModeration.verdict`, `docs/guard.md`).
package struct GuardModerationConfig: Hashable, Sendable {
    /// `http://` or `https://` URL of the service.
    package let url: BackendURL
    /// The whole call's time limit (default 2s).
    package let timeout: ProxyDuration
    /// What a failed call (timeout, connection, non-2xx, unreadable answer) counts as.
    package let failMode: GuardFailMode
    /// On a streamed answer: the characters (Unicode scalars) of text per call, held from the
    /// client until the service allowed them (ADR 0027). The hold-back bound of the hook.
    package let streamWindow: Int
    /// Category → the score in [0, 1] above which a result's `category_scores` entry flags it
    /// (`thresholds`). Empty: the service's own `flagged` decides. Categories not listed keep
    /// the service's own `categories` booleans.
    package let thresholds: [String: Double]
    /// The service's key (`credentials`), nil: the calls carry none.
    package let credentials: GuardModerationCredentials?

    package static let defaultTimeout = ProxyDuration.seconds(2)
    package static let defaultStreamWindow = 500
    package static let streamWindowRange = 16...65_536
    /// The most categories `thresholds` may list, and the longest name, in UTF-8 bytes.
    package static let maxThresholds = 64
    package static let maxCategoryBytes = 128

    /// Whether `category` can be a key of `thresholds`: any name a provider may use, 1 to
    /// `maxCategoryBytes` bytes without control characters.
    package static func isCategoryName(_ category: String) -> Bool {
        !category.isEmpty && category.utf8.count <= maxCategoryBytes && !category.utf8.contains { $0 < 0x20 || $0 == 0x7F }
    }

    package init(url: BackendURL, timeout: ProxyDuration = defaultTimeout, failMode: GuardFailMode = .closed,
                 streamWindow: Int = defaultStreamWindow, thresholds: [String: Double] = [:],
                 credentials: GuardModerationCredentials? = nil) {
        self.url = url
        self.timeout = timeout
        self.failMode = failMode
        self.streamWindow = streamWindow
        self.thresholds = thresholds
        self.credentials = credentials
    }
}

/// The moderation service's key: a file in the secrets directory, like a backend's, sent on
/// every call in `header` (`Authorization: Bearer <key>` by default, `api-key` for Azure).
package struct GuardModerationCredentials: Hashable, Sendable {
    /// Relative to the secrets directory; never absolute, never `..`.
    package let file: String
    package let header: CredentialHeader

    package init(file: String, header: CredentialHeader = .authorization) {
        self.file = file
        self.header = header
    }
}

/// What a failed moderation call counts as: `open` lets the request through, `closed` applies the rule's action.
package enum GuardFailMode: String, CaseIterable, Hashable, Sendable {
    case open, closed
}

/// What a guard rule checks: the prompt, the answer, or both.
package enum GuardPhase: String, CaseIterable, Hashable, Sendable {
    case request, response, both

    package var checksRequest: Bool { self != .response }
    package var checksResponse: Bool { self != .request }
}

/// What a match of a guard rule does.
package enum GuardAction: Hashable, Sendable {
    /// Refuse the request (or cut the answer with a safe ending); `message` is the refusal's text.
    case block(message: String)
    /// Replace the matched text with `replacement` and go on.
    case redact(replacement: String)
    /// Only record the decision (metric and audit log).
    case log

    /// The refusal text when a block rule sets none.
    package static let defaultMessage = "This request was blocked by the content policy."
    /// The replacement when a redact rule sets none.
    package static let defaultReplacement = "[REDACTED]"

    /// `block`, `redact` or `log`: the `action` label and the config's spelling.
    package var name: String {
        switch self {
        case .block: "block"
        case .redact: "redact"
        case .log: "log"
        }
    }
}

/// The roles of chat messages a guard can check.
package enum GuardMessageRole: String, CaseIterable, Hashable, Sendable {
    case user, system, tool, assistant
}

/// Which messages of a request a guard checks.
package struct GuardMessageScope: Hashable, Sendable {
    /// The roles checked (default: `user` only). Anthropic's top-level `system` is a `system` message.
    package let roles: [GuardMessageRole]
    /// Only the last message of a checked role (the new turn), instead of every one.
    package let lastOnly: Bool

    package init(roles: [GuardMessageRole] = [.user], lastOnly: Bool = false) {
        self.roles = roles
        self.lastOnly = lastOnly
    }
}

/// How a blocked request is answered.
package enum GuardBlockedResponse: Hashable, Sendable {
    /// A normal 200 completion from model `sluice-guard` whose text is the rule's message (SSE when the client streams).
    case completion
    /// An OpenAI-shaped error with this status and code `content_blocked`.
    case error(status: Int)
}
