import Testing
@testable import ProxyCore

/// `guards[]`: every field, defaults, precise errors, round trip.
@Suite struct ConfigGuardsDecoderTests {
    static let routes = #"{"name": "chat", "match": {"paths": ["/v1/chat/completions"]}, "split": [{"backend": "openai", "weight": 1}]}, "#
        + #"{"name": "default", "split": [{"backend": "openai", "weight": 1}]}"#

    static let full = #"""
        "guards": [{
          "name": "customer-facing", "routes": ["chat"],
          "rules": [
            {"name": "prompt-injection", "phase": "request", "keywords": ["ignore previous instructions", "忽略之前的指令"],
             "regexes": ["(?i)you are now (DAN|in developer mode)"], "action": "block", "message": "Sorry."},
            {"name": "personal-data", "phase": "both", "detectors": ["email", "chinaMobile"], "action": "redact", "replacement": "[pii]"},
            {"name": "competitors", "keywords": ["acme cloud"], "action": "log"},
            {"name": "moderated", "phase": "both", "moderation": {"url": "http://moderation.local:8080/v1/moderations", "timeout": "500ms", "failMode": "open", "streamWindow": 64, "thresholds": {"hate": 0.5, "violence/graphic": 0.8, "self-harm": 0, "x": 1}, "credentials": {"file": "dir/nested-key", "header": "api-key"}}, "action": "log"}
          ],
          "messages": {"roles": ["user", "tool"], "scope": "last"},
          "blockedResponse": {"mode": "error", "status": 451},
          "audit": {"file": "/var/log/sluice/guard-audit.jsonl"}
        }]
        """#

    static func text(_ guards: String) -> String { configText(extra: guards, routes: routes) }

    @Test func everyGuardFieldDecodes() throws {
        let config = try decodeValidConfig(Self.text(Self.full))
        #expect(config.guards == [GuardConfig(
            name: "customer-facing", routes: ["chat"],
            rules: [
                GuardRuleConfig(name: "prompt-injection", phase: .request, keywords: ["ignore previous instructions", "忽略之前的指令"],
                                regexes: ["(?i)you are now (DAN|in developer mode)"], action: .block(message: "Sorry.")),
                GuardRuleConfig(name: "personal-data", phase: .both, detectors: [.email, .chinaMobile], action: .redact(replacement: "[pii]")),
                GuardRuleConfig(name: "competitors", keywords: ["acme cloud"], action: .log),
                GuardRuleConfig(name: "moderated", phase: .both,
                                moderation: GuardModerationConfig(url: try #require(try? BackendURL.parse("http://moderation.local:8080/v1/moderations").get()),
                                                                  timeout: .milliseconds(500), failMode: .open, streamWindow: 64,
                                                                  thresholds: ["hate": 0.5, "violence/graphic": 0.8, "self-harm": 0, "x": 1],
                                                                  credentials: GuardModerationCredentials(file: "dir/nested-key", header: .apiKey)),
                                action: .log),
            ],
            messages: GuardMessageScope(roles: [.user, .tool], lastOnly: true), blockedResponse: .error(status: 451),
            auditFile: "/var/log/sluice/guard-audit.jsonl")])
    }

    @Test func defaultsAreUserMessagesAllOfThemACompletionAndGatewayWide() throws {
        let config = try decodeValidConfig(Self.text(#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "block"}, {"name": "s", "detectors": ["email"], "action": "redact"}]}]"#))
        let guardConfig = try #require(config.guards.first)
        #expect(guardConfig.routes == nil && guardConfig.guards(route: "chat") && guardConfig.guards(route: "default"))
        #expect(guardConfig.messages == GuardMessageScope(roles: [.user], lastOnly: false))
        #expect(guardConfig.blockedResponse == .completion)
        #expect(guardConfig.rules[0].phase == .request)
        #expect(guardConfig.rules[0].action == .block(message: GuardAction.defaultMessage))
        #expect(guardConfig.rules[1].action == .redact(replacement: "[REDACTED]"))
    }

    @Test func aModerationKeyIsSentAsABearerTokenUnlessAHeaderIsNamed() throws {
        let config = try decodeValidConfig(Self.text(#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "credentials": {"file": "openai-key"}}, "action": "block"}]}]"#))
        let hook = try #require(config.guards.first?.rules.first?.moderation)
        #expect(hook.credentials == GuardModerationCredentials(file: "openai-key", header: .authorization))
        #expect(hook.thresholds.isEmpty, "no thresholds: the service's flagged decides")
    }

    @Test func aModerationKeyIsNeverInline() {
        let text = Self.text(#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "credentials": {"key": "sk-inline"}}, "action": "block"}]}]"#)
        #expect(configIssues(text) == [#"guards[0].rules[0].moderation.credentials.key: unknown field; expected one of "file", "header""#,
                                       "guards[0].rules[0].moderation.credentials.file: required field is missing"])
    }

    @Test func theEncoderWritesGuardsSoTheDecoderReadsTheSameConfig() throws {
        let config = try decodeValidConfig(Self.text(Self.full))
        #expect(try configTestDecoder.decode(ProxyConfigEncoder.text(config)) == config)
        #expect(!ProxyConfigEncoder.text(try decodeValidConfig(configText())).contains("guards"), "no guards, nothing written")
    }

    @Test(arguments: [
        (#""guards": {}"#, "guards: expected an array, found an object"),
        (#""guards": [{"name": "g", "rules": []}]"#, "guards[0].rules: expected at least one rule"),
        (#""guards": [{"name": "g", "routes": ["nope"], "rules": [{"name": "r", "keywords": ["x"], "action": "log"}]}]"#,
         #"guards[0].routes[0]: no route is named "nope""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "action": "log"}]}]"#,
         #"guards[0].rules[0]: a rule needs at least one of "keywords", "regexes", "detectors" or "moderation""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "moderation": {"url": "http://m/v1/moderations"}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation: a moderation rule has no "keywords", "regexes" or "detectors"; put them in a rule of their own"#),
        (#""guards": [{"name": "g", "audit": {"file": "audit.jsonl"}, "rules": [{"name": "r", "keywords": ["x"], "action": "log"}]}]"#,
         #"guards[0].audit.file: "audit.jsonl" is not an absolute file path such as "/var/log/sluice/guard-audit.jsonl""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m/v1/moderations", "streamWindow": 100}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.streamWindow: applies to rules that check answers (phase "response" or "both")"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "phase": "both", "moderation": {"url": "http://m/v1/moderations", "streamWindow": 8}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.streamWindow: 8 is not a number of characters from 16 to 65536"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m/v1/moderations"}, "action": "redact"}]}]"#,
         #"guards[0].rules[0].action: a moderation rule cannot redact; expected "block" or "log""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "failMode": "maybe"}, "action": "log"}]}]"#,
         #"guards[0].rules[0].moderation.failMode: "maybe" is not one of "open", "closed""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m"}, "action": "log"}, {"name": "s", "moderation": {"url": "http://n"}, "action": "log"}]}]"#,
         "guards[0].rules: at most one rule of a guard may call a moderation service"),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "drop"}]}]"#,
         #"guards[0].rules[0].action: "drop" is not one of "block", "redact", "log""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log", "message": "m"}]}]"#,
         #"guards[0].rules[0].message: applies to the "block" action only"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "block", "replacement": "m"}]}]"#,
         #"guards[0].rules[0].replacement: applies to the "redact" action only"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "detectors": ["ssn"], "action": "log"}]}]"#,
         #"guards[0].rules[0].detectors[0]: "ssn" is not one of "email", "phone", "chinaMobile", "chinaResidentID", "paymentCard", "iban", "ipv4", "ipv6", "apiKey", "awsAccessKey", "privateKey""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "regexes": ["(a"], "action": "log"}]}]"#,
         #"guards[0].rules[0].regexes[0]: "(a" is not a valid regular expression: missing ")" for the group opened at position 0"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "phase": "answer", "action": "log"}]}]"#,
         #"guards[0].rules[0].phase: "answer" is not one of "request", "response", "both""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log"}, {"name": "r", "keywords": ["y"], "action": "log"}]}]"#,
         #"guards[0].rules[1].name: duplicate rule name "r" (first used by guards[0].rules[0])"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log"}]}, {"name": "h", "routes": ["chat"], "rules": [{"name": "r", "keywords": ["x"], "action": "log"}]}]"#,
         #"guards[1]: route "chat" is already checked by guards[0]; a route has at most one guard"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log"}], "messages": {"roles": ["robot"]}}]"#,
         #"guards[0].messages.roles[0]: "robot" is not one of "user", "system", "tool", "assistant""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log"}], "messages": {"scope": "first"}}]"#,
         #"guards[0].messages.scope: "first" is not one of "all", "last""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log"}], "blockedResponse": {"mode": "completion", "status": 400}}]"#,
         #"guards[0].blockedResponse.status: applies to mode "error" only"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log"}], "blockedResponse": {"mode": "error", "status": 500}}]"#,
         "guards[0].blockedResponse.status: 500 is greater than the maximum 499"),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "keywords": ["x"], "action": "log", "phase": "both", "hold": 1}]}]"#,
         #"guards[0].rules[0].hold: unknown field; expected one of "name", "phase", "keywords", "regexes", "detectors", "moderation", "action", "message", "replacement""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "thresholds": {"hate": 1.5}}, "action": "block"}]}]"#,
         "guards[0].rules[0].moderation.thresholds.hate: 1.5 is not a score from 0 to 1"),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "thresholds": {"hate": -0.1}}, "action": "block"}]}]"#,
         "guards[0].rules[0].moderation.thresholds.hate: -0.1 is not a score from 0 to 1"),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "thresholds": {"hate": "high"}}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.thresholds.hate: "high" is not a score from 0 to 1"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "thresholds": {"": 0.5}}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.thresholds[""]: expected a category name of 1 to 128 bytes without control characters"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "thresholds": {}}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.thresholds: expected at least one category; omit "thresholds" to use the service's "flagged""#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "thresholds": [0.5]}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.thresholds: expected an object of category names and scores such as {"hate": 0.5}, found an array"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "credentials": {"file": "moderation/key"}}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.credentials.file: "moderation/key" does not exist in the secrets directory"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "credentials": {"file": "/etc/key"}}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.credentials.file: "/etc/key" is not a relative path inside the secrets directory"#),
        (#""guards": [{"name": "g", "rules": [{"name": "r", "moderation": {"url": "http://m", "credentials": {"file": "openai-key", "header": "cookie"}}, "action": "block"}]}]"#,
         #"guards[0].rules[0].moderation.credentials.header: "cookie" is not one of "authorization", "api-key", "x-api-key""#),
    ])
    func badGuardsGetPreciseErrors(guards: String, expected: String) {
        #expect(configIssues(Self.text(guards)) == [expected])
    }
}
