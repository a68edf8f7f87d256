import ProxyCore
import ProxyTestSupport
import Synchronization
import Testing
@testable import KubeAPI

/// Counts leadership callbacks.
final class LeadershipLog: Sendable {
    private let counts = Mutex((started: 0, stopped: 0))
    func recordStarted() { counts.withLock { $0.started += 1 } }
    func recordStopped() { counts.withLock { $0.stopped += 1 } }
    var started: Int { counts.withLock { $0.started } }
    var stopped: Int { counts.withLock { $0.stopped } }
}

private func elector(_ fake: FakeKubeAPIProcess, _ identity: String, clock: ManualClock, log: LeadershipLog,
                     sleep: @escaping Informer.Sleep = Informer.taskSleep) -> LeaderElector {
    LeaderElector(client: fake.client(), configuration: .init(leaseName: "sluice-controller", namespace: "default", identity: identity,
                                                              retryPeriod: .milliseconds(20)),
                  clock: clock, sleep: sleep, onStartedLeading: { log.recordStarted() }, onStoppedLeading: { log.recordStopped() })
}

private func lease(_ fake: FakeKubeAPIProcess) async throws -> LeaseRecord {
    LeaseRecord(lease: try await fake.client().get(.leases, namespace: "default", name: "sluice-controller"))
}

@Suite(.serialized) struct LeaderElectorIntegrationTests {
    @Test func twoElectorsOnOneLeaseNeverBothLeadAndTheSecondTakesOverAfterExpiry() async throws {
        let fake = try FakeKubeAPIProcess()
        let clock = ManualClock()
        let logA = LeadershipLog(), logB = LeadershipLog()
        let a = elector(fake, "a", clock: clock, log: logA), b = elector(fake, "b", clock: clock, log: logB)

        #expect(await a.tryAcquireOrRenew())
        #expect(await b.tryAcquireOrRenew() == false)
        for _ in 0..<10 {
            clock.advance(.seconds(2))
            #expect(await a.tryAcquireOrRenew())
            #expect(await b.tryAcquireOrRenew() == false)
            #expect(!(a.isLeader && b.isLeader))
        }
        #expect(try await lease(fake).holderIdentity == "a")

        // a stops renewing (say it hangs). Past its renew deadline it no longer calls itself
        // leader, before the lease expires for b.
        clock.advance(.seconds(11))
        #expect(a.isLeader == false)
        #expect(await b.tryAcquireOrRenew() == false)
        clock.advance(.seconds(4))
        #expect(await b.tryAcquireOrRenew())
        #expect(!(a.isLeader && b.isLeader))
        let record = try await lease(fake)
        #expect(record.holderIdentity == "b" && record.leaseTransitions == 1)

        #expect(await a.tryAcquireOrRenew() == false)
        #expect(logA.started == 1 && logA.stopped == 1 && logB.started == 1 && logB.stopped == 0)
    }

    @Test func racingCandidatesOnAnExpiredLeaseProduceExactlyOneLeader() async throws {
        let fake = try FakeKubeAPIProcess()
        let clock = ManualClock()
        let logA = LeadershipLog(), logB = LeadershipLog()
        let a = elector(fake, "a", clock: clock, log: logA), b = elector(fake, "b", clock: clock, log: logB)
        for _ in 0..<5 {
            async let wonA = a.tryAcquireOrRenew()
            async let wonB = b.tryAcquireOrRenew()
            let (leaderA, leaderB) = await (wonA, wonB)
            #expect(leaderA != leaderB, "exactly one of the two must lead")
            #expect(!(a.isLeader && b.isLeader))
            // Let the lease expire with nobody renewing, so the next round is a fresh race.
            clock.advance(.seconds(16))
        }
    }

    @Test func aConflictOnAcquireMeansNotLeading() async throws {
        let fake = try FakeKubeAPIProcess()
        let clock = ManualClock()
        let log = LeadershipLog()
        let a = elector(fake, "a", clock: clock, log: log)
        try await fake.hook("POST", "/__fake/conflict?count=1")
        #expect(await a.tryAcquireOrRenew() == false)
        #expect(log.started == 0)
        #expect(await a.tryAcquireOrRenew())
        #expect(log.started == 1)
    }

    @Test func runRenewsUntilCancelledThenReleasesTheLeaseForTheNextCandidate() async throws {
        let fake = try FakeKubeAPIProcess()
        let clock = ManualClock()
        let logA = LeadershipLog(), logB = LeadershipLog()
        let a = elector(fake, "a", clock: clock, log: logA)
        let running = Task { await a.run() }
        #expect(await eventually { a.isLeader })
        let firstRenew = try await lease(fake).renewTime
        clock.advance(.seconds(2))
        #expect(try await eventually { try await lease(fake).renewTime != firstRenew })
        running.cancel()
        await running.value
        #expect(logA.started == 1 && logA.stopped == 1)
        #expect(try await lease(fake).holderIdentity == "")
        // No waiting for expiry: a released lease is free at once.
        let b = elector(fake, "b", clock: clock, log: logB)
        #expect(await b.tryAcquireOrRenew())
    }
}
