import Testing
@testable import KubeAPI

private let second: UInt64 = 1_000_000_000

@Suite struct LeaseDecisionTests {
    @Test func anAbsentLeaseIsCreatedWithUsAsHolder() {
        let decision = LeaseDecision.decide(current: nil, identity: "a", now: 100 * second, leaseDurationSeconds: 15)
        #expect(decision == .create(LeaseRecord(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 100 * second,
                                                renewTime: 100 * second, leaseTransitions: 0)))
    }

    @Test func ourOwnLeaseIsRenewedKeepingAcquireTimeAndTransitions() {
        let held = LeaseRecord(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 10 * second, renewTime: 20 * second, leaseTransitions: 3)
        guard case .update(let renewed) = LeaseDecision.decide(current: held, identity: "a", now: 30 * second, leaseDurationSeconds: 15) else {
            Issue.record("expected an update")
            return
        }
        #expect(renewed.renewTime == 30 * second && renewed.acquireTime == 10 * second && renewed.leaseTransitions == 3)
    }

    @Test func anotherHoldersLeaseIsRespectedUntilRenewTimePlusDuration() {
        let held = LeaseRecord(holderIdentity: "b", leaseDurationSeconds: 15, acquireTime: 0, renewTime: 20 * second, leaseTransitions: 1)
        #expect(LeaseDecision.decide(current: held, identity: "a", now: 34 * second, leaseDurationSeconds: 15) == .heldByOther("b"))
        guard case .update(let taken) = LeaseDecision.decide(current: held, identity: "a", now: 35 * second, leaseDurationSeconds: 15) else {
            Issue.record("expected a takeover")
            return
        }
        #expect(taken.holderIdentity == "a" && taken.leaseTransitions == 2 && taken.acquireTime == 35 * second)
    }

    @Test func aReleasedLeaseIsTakenAtOnce() {
        let released = LeaseRecord(holderIdentity: "", leaseDurationSeconds: 15, acquireTime: 0, renewTime: 20 * second, leaseTransitions: 1)
        #expect(released.isExpired(at: 21 * second))
    }

    @Test func aLeaseRoundTripsThroughItsSpec() {
        let record = LeaseRecord(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: 1_767_225_600_000_001_000,
                                 renewTime: 1_767_225_601_000_000_000, leaseTransitions: 2)
        #expect(LeaseRecord(lease: object(("spec", record.spec))) == record)
    }
}
