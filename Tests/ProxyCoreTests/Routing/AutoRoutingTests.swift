import Testing
@testable import ProxyCore

/// The `auto` ranking: needs, class rules and strategies, with synthetic live figures.
@Suite struct AutoRoutingTests {
    /// cheap: 32k, no tools; mid: 128k, tools+json; big: 1M context, tools+vision, tier 3, "strong".
    static func registryConfig(strategy: AutoStrategy = .cost, classes: [AutoClassConfig] = [],
                               overBudget: OverBudgetConfig? = nil) -> ProxyConfig {
        let url = try! BackendURL.parse("http://127.0.0.1:9/v1").get()
        let backends = [
            BackendConfig(name: "cheap", provider: .openai, baseURL: url,
                          prices: ["small": ModelPriceConfig(input: 0.1, output: 0.2)],
                          modelInfo: ["small": ModelInfoConfig(contextWindow: 32_000, maxOutputTokens: 4_000, tags: ["cheap"])]),
            BackendConfig(name: "mid", provider: .openai, baseURL: url,
                          prices: ["medium": ModelPriceConfig(input: 1, output: 4)],
                          modelInfo: ["medium": ModelInfoConfig(contextWindow: 128_000, capabilities: ModelCapabilities([.tools, .json]),
                                                                tier: 1)]),
            BackendConfig(name: "big", provider: .openai, baseURL: url,
                          prices: ["large": ModelPriceConfig(input: 5, output: 15)],
                          modelInfo: ["large": ModelInfoConfig(contextWindow: 1_000_000,
                                                               capabilities: ModelCapabilities([.tools, .vision, .json, .reasoning]),
                                                               tags: ["strong"], tier: 3)]),
        ]
        let route = RouteConfig(name: "auto", split: [SplitEntryConfig(backend: "cheap", weight: 1)],
                                auto: [AutoModelConfig(name: "auto", strategy: strategy, classes: classes, overBudget: overBudget)])
        return ProxyConfig(backends: backends, routes: [route])
    }

    struct Fixture {
        let table: RouteTable
        let auto: CompiledAutoModel

        init(strategy: AutoStrategy = .cost, classes: [AutoClassConfig] = [], overBudget: OverBudgetConfig? = nil) throws {
            table = try RouteTable(registryConfig(strategy: strategy, classes: classes, overBudget: overBudget))
            let decision = try #require(table.route(path: "/v1/chat/completions", model: "auto", headers: HTTPHeaders(), random: 0))
            auto = try #require(table.autoModel(for: decision, model: "auto"))
        }

        func decide(_ needs: RequestNeeds, headers: HTTPHeaders = HTTPHeaders(), figures: [String: LatencyFigures] = [:],
                    ejected: Set<String> = [], quotaUsedPercent: Int? = nil) -> AutoDecision {
            let registry = table.registry
            return auto.decide(needs: needs, headers: headers, registry: registry, quotaUsedPercent: quotaUsedPercent,
                               figures: { figures[registry.entries[$0].model] },
                               available: { !ejected.contains(table.backendNames[$0]) })
        }

        func models(_ decision: AutoDecision) -> [String] {
            decision.ranked.map { table.registry.entries[$0].model }
        }

        func exclusion(_ decision: AutoDecision, _ model: String) -> CandidateExclusion? {
            decision.verdicts.first { table.registry.entries[$0.entry].model == model }?.exclusion
        }
    }

    static func figures(p95 milliseconds: UInt64) -> LatencyFigures {
        LatencyFigures(p50: .milliseconds(milliseconds / 2), p95: .milliseconds(milliseconds), samples: 50)
    }

    @Test func cheapestCapableModelWinsAndTheRestFormTheFallbackOrder() throws {
        let fixture = try Fixture()
        let decision = fixture.decide(RequestNeeds(promptTokens: 1_000))
        #expect(fixture.models(decision) == ["small", "medium", "large"])
        #expect(decision.reason == .cost)
        let costs = decision.verdicts.map { $0.estimatedCost ?? -1 }
        // 1000 prompt + 256 expected output tokens.
        #expect(abs(costs[0] - (1_000 * 0.1 + 256 * 0.2) / 1_000_000) < 1e-12)
    }

    @Test func longPromptGoesToTheLargerContext() throws {
        let fixture = try Fixture()
        let decision = fixture.decide(RequestNeeds(promptTokens: 200_000))
        #expect(fixture.models(decision) == ["large"])
        #expect(fixture.exclusion(decision, "small") == .context(needed: 200_000, window: 32_000))
        #expect(fixture.exclusion(decision, "medium") == .context(needed: 200_000, window: 128_000))
    }

    @Test func theContextMarginKeepsHeadRoom() throws {
        let fixture = try Fixture()
        // 29,000 + 1,000 fits 32,000 but not its 90 %.
        let decision = fixture.decide(RequestNeeds(promptTokens: 29_000, requestedOutputTokens: 1_000))
        #expect(fixture.models(decision).first == "medium")
        #expect(fixture.exclusion(decision, "small") == .context(needed: 30_000, window: 32_000))
    }

    @Test func toolsExcludeToolLessModels() throws {
        let fixture = try Fixture()
        let decision = fixture.decide(RequestNeeds(promptTokens: 100, capabilities: ModelCapabilities([.tools])))
        #expect(fixture.models(decision) == ["medium", "large"])
        #expect(fixture.exclusion(decision, "small") == .capability(.tools))
        let vision = fixture.decide(RequestNeeds(promptTokens: 100, capabilities: ModelCapabilities([.vision])))
        #expect(fixture.models(vision) == ["large"])
    }

    @Test func tooMuchRequestedOutputExcludesAModel() throws {
        let fixture = try Fixture()
        let decision = fixture.decide(RequestNeeds(promptTokens: 100, requestedOutputTokens: 8_000))
        #expect(fixture.exclusion(decision, "small") == .output(requested: 8_000, max: 4_000))
        #expect(fixture.models(decision) == ["medium", "large"])
    }

    @Test func aClassRuleOnTheLastUserMessageRequiresTags() throws {
        let rule = AutoClassConfig(name: "reasoning", condition: .keywords(["step by step", "prove"]), requireTags: ["strong"])
        let fixture = try Fixture(classes: [rule])
        let decision = fixture.decide(RequestNeeds(promptTokens: 100, lastUserMessage: "Please PROVE that it halts"))
        #expect(decision.matchedClass == "reasoning")
        #expect(fixture.models(decision) == ["large"])
        #expect(fixture.exclusion(decision, "small") == .classRule("reasoning"))
        let plain = fixture.decide(RequestNeeds(promptTokens: 100, lastUserMessage: "summarise this"))
        #expect(plain.matchedClass == nil)
        #expect(fixture.models(plain).first == "small")
    }

    @Test func aClassRuleOnAHeaderRequiresATier() throws {
        let rule = AutoClassConfig(name: "premium", condition: .header(HeaderMatch(name: "x-tier", condition: .exact("gold"))), minTier: 1)
        let fixture = try Fixture(classes: [rule])
        let decision = fixture.decide(RequestNeeds(promptTokens: 100), headers: HTTPHeaders([("x-tier", "gold")]))
        #expect(fixture.models(decision) == ["medium", "large"])
    }

    @Test func keywordsAreEscapedLiterals() throws {
        let pattern = CompiledAutoClass.pattern(keywords: ["c++", "a.b"])
        let regex = try LinearRegex(pattern)
        #expect(regex.containsMatch(in: "I write C++ daily"))
        #expect(!regex.containsMatch(in: "axb"))
    }

    @Test func ejectedBackendsAreSkippedUnlessNothingElseIsLeft() throws {
        let fixture = try Fixture()
        let decision = fixture.decide(RequestNeeds(promptTokens: 100), ejected: ["cheap"])
        #expect(fixture.models(decision) == ["medium", "large"])
        #expect(fixture.exclusion(decision, "small") == .breaker)
        let all = fixture.decide(RequestNeeds(promptTokens: 200_000), ejected: ["big"])
        #expect(all.reason == .degraded)
        #expect(fixture.models(all) == ["large"])
    }

    @Test func latencyStrategyPrefersTheLowestMeasuredP95() throws {
        let fixture = try Fixture(strategy: .latency)
        let decision = fixture.decide(RequestNeeds(promptTokens: 100),
                                      figures: ["small": Self.figures(p95: 900), "large": Self.figures(p95: 300)])
        // Measured first by p95, then the unmeasured one.
        #expect(fixture.models(decision) == ["large", "small", "medium"])
    }

    @Test func aConsumerOverBudgetIsRankedByCostAmongTheLowerTiers() throws {
        let fixture = try Fixture(strategy: .latency, overBudget: OverBudgetConfig(usedPercent: 80, maxTier: 1, strategy: .cost))
        let figures = ["small": Self.figures(p95: 900), "medium": Self.figures(p95: 600), "large": Self.figures(p95: 300)]
        let needs = RequestNeeds(promptTokens: 100)
        // Below the threshold (or without quotas) the model's own strategy ranks everything.
        let within = fixture.decide(needs, figures: figures, quotaUsedPercent: 79)
        #expect(fixture.models(within) == ["large", "medium", "small"])
        #expect(within.budget == .within(usedPercent: 79))
        #expect(fixture.decide(needs, figures: figures).budget == nil)
        // At 80 %: tier 3 is set aside and the cheapest leads.
        let over = fixture.decide(needs, figures: figures, quotaUsedPercent: 85)
        #expect(fixture.models(over) == ["small", "medium"])
        #expect(over.reason == .cost)
        #expect(fixture.exclusion(over, "large") == .budget(tier: 3, maxTier: 1))
        #expect(over.budget == .over(usedPercent: 85, rule: OverBudgetConfig(usedPercent: 80, maxTier: 1, strategy: .cost)))
        // A request only the dear model can serve still gets it, ranked as degraded.
        let large = fixture.decide(RequestNeeds(promptTokens: 200_000), figures: figures, quotaUsedPercent: 100)
        #expect(fixture.models(large) == ["large"])
        #expect(large.reason == .degraded)
    }

    @Test func overBudgetWithoutAStrategyKeepsTheModelsOwn() throws {
        let fixture = try Fixture(strategy: .latency, overBudget: OverBudgetConfig(usedPercent: 50, maxTier: 1))
        let figures = ["small": Self.figures(p95: 900), "medium": Self.figures(p95: 600), "large": Self.figures(p95: 300)]
        let over = fixture.decide(RequestNeeds(promptTokens: 100), figures: figures, quotaUsedPercent: 50)
        #expect(fixture.models(over) == ["medium", "small"])
        #expect(over.reason == .latency)
    }

    @Test func noCapableModelLeavesNothingRanked() throws {
        let fixture = try Fixture()
        let decision = fixture.decide(RequestNeeds(promptTokens: 2_000_000))
        #expect(decision.ranked.isEmpty)
        #expect(decision.reason == .noCandidate)
    }

    @Test func slowModelIsSkippedUnderCostWithinLatencyAndReturnsAfterItRecovers() throws {
        let fixture = try Fixture(strategy: .costWithinLatency(maxP95: .seconds(2)))
        let windows = fixture.table.registry.entries.map { _ in EntryLiveWindow() }
        let small = try #require(fixture.table.registry.index(backend: 0, model: "small"))
        var now = ProxyInstant(nanoseconds: 1_000_000_000_000)
        func decide() -> AutoDecision {
            let at = now
            return fixture.auto.decide(needs: RequestNeeds(promptTokens: 100), headers: HTTPHeaders(), registry: fixture.table.registry,
                                       figures: { windows[$0].figures(at: at) }, available: { _ in true })
        }
        // Too few samples: the cheap model is not judged yet.
        for _ in 0..<9 { windows[small].recordFirstToken(.seconds(5), at: now) }
        #expect(fixture.models(decide()).first == "small")
        windows[small].recordFirstToken(.seconds(5), at: now)
        let slow = decide()
        #expect(fixture.models(slow) == ["medium", "large"])
        guard case .latency(let p95, let max)? = fixture.exclusion(slow, "small") else {
            Issue.record("expected a latency exclusion")
            return
        }
        #expect(p95 > .seconds(2) && max == .seconds(2))
        // The slow samples age out of the window; fast ones bring the model back.
        now = now.advanced(by: .seconds(61))
        for _ in 0..<10 { windows[small].recordFirstToken(.milliseconds(300), at: now) }
        #expect(fixture.models(decide()) == ["small", "medium", "large"])
    }
}
