import Testing
@testable import ProxyCore

/// The moderation service's answer read as a verdict: `flagged` alone, and per-category
/// thresholds over `category_scores` (`docs/guard.md`).
@Suite struct GuardModerationVerdictTests {
    static func verdict(_ answer: String, status: Int = 200, thresholds: [String: Double] = [:]) -> GuardModerationVerdict {
        GuardModeration.verdict(status: status, body: Array(answer.utf8), thresholds: thresholds)
    }

    static func result(flagged: Bool, categories: String = "{}", scores: String = "{}") -> String {
        #"{"results": [{"flagged": \#(flagged), "categories": \#(categories), "category_scores": \#(scores)}]}"#
    }

    @Test func withoutThresholdsTheServicesFlaggedDecides() {
        #expect(Self.verdict(Self.result(flagged: true, scores: #"{"hate": 0.01}"#)) == .flagged)
        #expect(Self.verdict(Self.result(flagged: false, categories: #"{"hate": true}"#, scores: #"{"hate": 0.99}"#)) == .allowed)
        #expect(Self.verdict(#"{"results": [{"flagged": false}, {"flagged": true}]}"#) == .flagged, "any result flags")
    }

    @Test func aListedCategoryFlagsOnlyAboveItsThreshold() {
        let thresholds = ["hate": 0.5, "violence/graphic": 0.8]
        #expect(Self.verdict(Self.result(flagged: false, scores: #"{"hate": 0.51, "violence/graphic": 0.1}"#), thresholds: thresholds) == .flagged)
        #expect(Self.verdict(Self.result(flagged: false, scores: #"{"hate": 0.49, "violence/graphic": 0.81}"#), thresholds: thresholds) == .flagged)
        #expect(Self.verdict(Self.result(flagged: false, scores: #"{"hate": 0.5, "violence/graphic": 0.8}"#), thresholds: thresholds) == .allowed,
                "a score equal to its threshold is not above it")
    }

    @Test func thresholdsOverrideTheServicesOwnDecisionOnListedCategoriesOnly() {
        // The service flagged hate (its own threshold is lower); ours is 0.9.
        let hateOnly = Self.result(flagged: true, categories: #"{"hate": true, "violence": false}"#, scores: #"{"hate": 0.6, "violence": 0.2}"#)
        #expect(Self.verdict(hateOnly, thresholds: ["hate": 0.9]) == .allowed, "flagged is not read with thresholds")
        // An unlisted category the service flagged still flags.
        let violence = Self.result(flagged: true, categories: #"{"hate": false, "violence": true}"#, scores: #"{"hate": 0.1, "violence": 0.7}"#)
        #expect(Self.verdict(violence, thresholds: ["hate": 0.9]) == .flagged)
        #expect(Self.verdict(violence, thresholds: ["hate": 0.9, "violence": 1]) == .allowed, "a threshold of 1 turns a category off")
    }

    @Test func aListedCategoryTheServiceDoesNotScoreCannotFlag() {
        #expect(Self.verdict(Self.result(flagged: true, scores: #"{"hate": 0.2}"#), thresholds: ["illicit/violent": 0]) == .allowed)
    }

    @Test func anAnswerWithOnlyScoresIsJudgedByTheListedCategories() {
        let scoresOnly = #"{"results": [{"category_scores": {"toxicity": 0.7}}]}"#
        #expect(Self.verdict(scoresOnly, thresholds: ["toxicity": 0.6]) == .flagged)
        #expect(Self.verdict(scoresOnly, thresholds: ["toxicity": 0.8]) == .allowed)
        #expect(Self.verdict(scoresOnly) == .failed(kind: "invalid"), "without thresholds a result needs flagged")
    }

    @Test func anAnswerThatCannotBeJudgedWithThresholdsIsAFailedCall() {
        let thresholds = ["hate": 0.5]
        #expect(Self.verdict(#"{"results": [{"flagged": true}]}"#, thresholds: thresholds) == .failed(kind: "invalid"), "no category_scores")
        #expect(Self.verdict(#"{"results": [{"category_scores": {"hate": "high"}}]}"#, thresholds: thresholds) == .failed(kind: "invalid"))
        #expect(Self.verdict(#"{"results": [{"category_scores": {}, "categories": {"violence": 1}}]}"#, thresholds: thresholds) == .failed(kind: "invalid"))
        #expect(Self.verdict(#"{"results": [{"category_scores": {}, "categories": []}]}"#, thresholds: thresholds) == .failed(kind: "invalid"))
        #expect(Self.verdict(#"{"results": []}"#, thresholds: thresholds) == .failed(kind: "invalid"))
        #expect(Self.verdict(Self.result(flagged: false), status: 401, thresholds: thresholds) == .failed(kind: "status"))
    }

    @Test func twoRulesJudgingOneServiceDifferentlyNeverShareACachedVerdict() {
        let body = Array(#"{"input":["x"]}"#.utf8)
        let plain = GuardModerationCache.Key(url: "http://m", body: body)
        #expect(GuardModerationCache.Key(url: "http://m", thresholds: ["hate": 0.5], body: body) != plain)
        #expect(GuardModerationCache.Key(url: "http://m", thresholds: ["hate": 0.5], body: body)
                != GuardModerationCache.Key(url: "http://m", thresholds: ["hate": 0.6], body: body))
        #expect(GuardModerationCache.Key(url: "http://m", thresholds: ["hate": 0.5], body: body)
                == GuardModerationCache.Key(url: "http://m", thresholds: ["hate": 0.5], body: body))
    }
}
