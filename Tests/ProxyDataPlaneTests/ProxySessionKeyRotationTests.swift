@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: several keys per backend — in turn; a refused key set aside and the attempt sent
/// again at once with another.
@Suite struct ProxySessionKeyRotationTests {
    static let config = """
        {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
         "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
         "backends": [
           {"name": "openai", "provider": "openai", "baseURL": "http://127.0.0.1:9/v1",
            "credentials": {"files": ["keys/a", "keys/b", "keys/c"], "cooldown": "30s"}}
         ],
         "routes": [{"name": "r", "split": [{"backend": "openai", "weight": 1}], "retry": {"attempts": 2, "backoff": {"base": "1s", "max": "1s"}}}]}
        """
    static let secrets = ["keys/a": "sk-key-aaaaaaaaaaaa", "keys/b": "sk-key-bbbbbbbbbbbb", "keys/c": "sk-key-cccccccccccc"]
    static let chat = #"{"model":"gpt-4o-mini","messages":[]}"#

    static func key(_ transfer: ScriptedTransfer) -> String? {
        transfer.header("authorization").map { String($0.dropFirst("Bearer sk-key-".count).prefix(1)) }
    }

    static func answer(_ transfer: ScriptedTransfer) {
        transfer.head(200)
        transfer.send(ProxySessionAccountingTests.answer)
        transfer.finish()
    }

    @Test func keysAreUsedInTurn() throws {
        let harness = try SessionHarness(config: Self.config, secrets: Self.secrets)
        var used: [String?] = []
        for _ in 0..<4 {
            harness.request(body: Self.chat)
            used.append(Self.key(harness.upstream.last))
            Self.answer(harness.upstream.last)
        }
        #expect(used == ["a", "b", "c", "a"])
    }

    @Test func aRefusedKeyIsSetAsideAndTheAttemptSentAgainWithTheNextAtOnce() throws {
        let harness = try SessionHarness(config: Self.config, secrets: Self.secrets)
        let (_, response) = harness.request(body: Self.chat)
        #expect(Self.key(harness.upstream.last) == "a")
        harness.upstream.last.head(401)
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 2, "sent again without a backoff")
        #expect(Self.key(harness.upstream.last) == "b")
        Self.answer(harness.upstream.last)
        #expect(response.status == 200)
        #expect(response.header("x-sluice-attempts") == "2")
        #expect(harness.metric(#"sluice_backend_keys_set_aside_total{backend="openai",key="0",reason="unauthorized"}"#) == 1)
        #expect(!harness.metricsText.contains("sk-key-"), "metrics name keys by index, never the key")
        // Key a stays aside for its 30 s cooldown: the turns go to b and c.
        var used: [String?] = []
        for _ in 0..<3 {
            harness.request(body: Self.chat)
            used.append(Self.key(harness.upstream.last))
            Self.answer(harness.upstream.last)
        }
        #expect(!used.contains("a"))
        harness.scheduler.advance(by: .seconds(31))
        var later: [String?] = []
        for _ in 0..<3 {
            harness.request(body: Self.chat)
            later.append(Self.key(harness.upstream.last))
            Self.answer(harness.upstream.last)
        }
        #expect(later.contains("a"), "back after the cooldown")
    }

    @Test func aRateLimitedKeyGivesWayToTheNextBeforeTheBackoff() throws {
        let harness = try SessionHarness(config: Self.config, secrets: Self.secrets)
        let (_, response) = harness.request(body: Self.chat)
        harness.upstream.last.head(429, ["content-type": "application/json", "retry-after": "20"])
        harness.scheduler.advance(by: .zero)
        #expect(Self.key(harness.upstream.last) == "b")
        harness.upstream.last.head(429, ["content-type": "application/json", "retry-after": "20"])
        harness.scheduler.advance(by: .zero)
        #expect(Self.key(harness.upstream.last) == "c")
        // Every key refused: the route's plan decides (here, a retry after the provider's wait).
        harness.upstream.last.head(429, ["content-type": "application/json", "retry-after": "2"])
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 3)
        harness.scheduler.advance(by: .seconds(2))
        #expect(harness.upstream.transfers.count == 4)
        Self.answer(harness.upstream.last)
        #expect(response.status == 200)
        #expect(harness.metric(#"sluice_backend_keys_set_aside_total{backend="openai",key="1",reason="rate_limited"}"#) == 1)
    }

    @Test func everyKeyRefusedPassesTheProvidersAnswerOn() throws {
        let harness = try SessionHarness(config: Self.config, secrets: Self.secrets)
        let (_, response) = harness.request(body: Self.chat)
        for _ in 0..<3 {
            harness.upstream.last.head(403)
            harness.scheduler.advance(by: .zero)
        }
        #expect(harness.upstream.transfers.count == 3)
        harness.upstream.last.send(#"{"error":{"message":"forbidden","type":"permission_error"}}"#)
        harness.upstream.last.finish()
        #expect(response.status == 403)
    }

    @Test func aReloadThatLeavesTheKeyFilesAloneKeepsARefusedKeyAside() throws {
        let harness = try SessionHarness(config: Self.config, secrets: Self.secrets)
        harness.request(body: Self.chat)
        harness.upstream.last.head(401)
        harness.scheduler.advance(by: .zero)
        Self.answer(harness.upstream.last)
        func reload(_ config: String, _ secrets: [String: String]) throws {
            harness.dataPlane.apply(try SessionHarness.load(config, secrets: secrets))
            harness.loop.publish(harness.dataPlane.current)
        }
        // Another route, the same key files: key a is still aside.
        let twoRoutes = Self.config.replacingFirst(#""routes": ["#, with: #""routes": [{"name": "other", "match": {"model": {"exact": "x"}}, "split": [{"backend": "openai", "weight": 1}]}, "#)
        try reload(twoRoutes, Self.secrets)
        var used: [String?] = []
        for _ in 0..<4 {
            harness.request(body: Self.chat)
            used.append(Self.key(harness.upstream.last))
            Self.answer(harness.upstream.last)
        }
        #expect(!used.contains("a"), "the refused key sits out its cooldown across the reload: \(used)")
        // A new key in a's file: a fresh ring, every key in turn again.
        var rotated = Self.secrets
        rotated["keys/a"] = "sk-key-arotatedaaaa"
        try reload(Self.config, rotated)
        used = []
        for _ in 0..<3 {
            harness.request(body: Self.chat)
            used.append(Self.key(harness.upstream.last))
            Self.answer(harness.upstream.last)
        }
        #expect(used.compactMap { $0 }.sorted() == ["a", "b", "c"])
    }
}
