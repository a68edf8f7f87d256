import Testing
@testable import GatewayController

@Suite struct ConditionSetTests {
    static let earlier = "2026-01-01T00:00:00Z"
    static let now = "2026-01-02T00:00:00Z"

    func condition(_ type: String, _ status: String, reason: String = "R", message: String = "m", generation: Int = 1,
                   time: String = earlier) -> Condition {
        Condition(type: type, status: status, reason: reason, message: message, observedGeneration: generation, lastTransitionTime: time)
    }

    @Test func newConditionsGetTheCurrentTimeAndGeneration() {
        let merged = ConditionSet.merge(existing: [], desired: [DesiredCondition(type: "Accepted", status: true, reason: "Accepted", message: "ok")],
                                        observedGeneration: 3, now: Self.now)
        #expect(merged == [condition("Accepted", "True", reason: "Accepted", message: "ok", generation: 3, time: Self.now)])
    }

    @Test func transitionTimeIsKeptWhenOnlyReasonOrMessageOrGenerationChange() {
        let existing = [condition("Programmed", "False", reason: "Pending", message: "old")]
        let merged = ConditionSet.merge(existing: existing,
                                        desired: [DesiredCondition(type: "Programmed", status: false, reason: "Invalid", message: "new")],
                                        observedGeneration: 2, now: Self.now)
        #expect(merged == [condition("Programmed", "False", reason: "Invalid", message: "new", generation: 2, time: Self.earlier)])
    }

    @Test func transitionTimeChangesWhenTheStatusChanges() {
        let existing = [condition("ResolvedRefs", "True")]
        let merged = ConditionSet.merge(existing: existing, desired: [DesiredCondition(type: "ResolvedRefs", status: false, reason: "BackendNotFound", message: "x")],
                                        observedGeneration: 1, now: Self.now)
        #expect(merged.first?.lastTransitionTime == Self.now)
        #expect(merged.first?.status == "False")
    }

    @Test func conditionsOfOtherOwnersAreKeptAndOursThatNoLongerApplyAreDropped() {
        let existing = [condition("Accepted", "True"), condition("NotYetTranslated", "True"), condition("example.com/Audited", "True")]
        let merged = ConditionSet.merge(existing: existing, desired: [DesiredCondition(type: "Accepted", status: true, reason: "R", message: "m")],
                                        observedGeneration: 1, now: Self.now)
        #expect(merged.map(\.type) == ["Accepted", "example.com/Audited"])
        #expect(merged[0].lastTransitionTime == Self.earlier)
    }

    @Test func mergingTheSameDesiredStateTwiceIsANoOp() {
        let desired = [DesiredCondition(type: "Accepted", status: true, reason: "Accepted", message: "ok"),
                       DesiredCondition(type: "Programmed", status: false, reason: "NoRoutes", message: "none")]
        let once = ConditionSet.merge(existing: [], desired: desired, observedGeneration: 4, now: Self.earlier)
        let twice = ConditionSet.merge(existing: once, desired: desired, observedGeneration: 4, now: Self.now)
        #expect(once == twice)
    }

    @Test func newFailuresAreOnlyConditionsThatBecameFalse() {
        let existing = [condition("Accepted", "True"), condition("ResolvedRefs", "False")]
        let merged = [condition("Accepted", "False"), condition("ResolvedRefs", "False"), condition("Programmed", "False"),
                      condition("NotYetTranslated", "False")]
        #expect(ConditionSet.newFailures(existing: existing, merged: merged).map(\.type) == ["Accepted", "Programmed"])
    }

    @Test func aFailureForAnotherReasonIsNewButTheSameReasonAgainIsNot() {
        let existing = [condition("Programmed", "False", reason: "NoRoutes"), condition("ResolvedRefs", "False", reason: "SecretNotFound")]
        let merged = [condition("Programmed", "False", reason: "ConfigMapWriteFailed"),
                      condition("ResolvedRefs", "False", reason: "SecretNotFound", message: "another message")]
        #expect(ConditionSet.newFailures(existing: existing, merged: merged).map(\.reason) == ["ConfigMapWriteFailed"])
    }

    @Test func conditionsRoundTripThroughJSON() {
        let original = condition("Accepted", "True", generation: 7)
        #expect(Condition(json: original.jsonValue) == original)
    }
}
