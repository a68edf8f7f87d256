import Testing
@testable import ProxyCore

extension ResilienceTests {
    @Suite struct CircuitBreakerStateMachineTests {
        static func at(_ milliseconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: 7_000_000_000 + milliseconds * 1_000_000) }

        static let config = CircuitBreakerConfig(consecutiveFailures: 5, errorRatePercent: 0, minRequests: 20, window: .seconds(30),
                                                 cooldown: .seconds(30), maxCooldown: .seconds(300))

        @Test func fiveFailuresInARowEjectTheBackendForTheCooldown() {
            var breaker = CircuitBreakerStateMachine(config: Self.config)
            for step in 0..<4 { breaker.record(success: false, at: Self.at(UInt64(step))) }
            #expect(breaker.state == .closed)
            breaker.record(success: false, at: Self.at(4))
            #expect(breaker.state == .open(until: Self.at(30_004)))
            #expect(breaker.ejections == 1)
            #expect(!breaker.isAvailable(at: Self.at(30_003)))
            let allowed1 = breaker.allowRequest(at: Self.at(30_003))
            #expect(!allowed1)
            #expect(breaker.isAvailable(at: Self.at(30_004)))
        }

        @Test func aSuccessResetsTheConsecutiveCount() {
            var breaker = CircuitBreakerStateMachine(config: Self.config)
            for step in 0..<20 { breaker.record(success: step % 4 == 3, at: Self.at(UInt64(step))) }
            #expect(breaker.state == .closed)
        }

        @Test func afterTheCooldownExactlyOneProbeGoesThroughAndItsSuccessCloses() {
            var breaker = CircuitBreakerStateMachine(config: Self.config)
            for step in 0..<5 { breaker.record(success: false, at: Self.at(UInt64(step))) }
            let allowed2 = breaker.allowRequest(at: Self.at(30_004))
            #expect(allowed2)
            #expect(breaker.state == .halfOpen(probeInFlight: true))
            let allowed3 = breaker.allowRequest(at: Self.at(30_005))
            #expect(!allowed3)
            #expect(!breaker.isAvailable(at: Self.at(30_005)))
            breaker.record(success: true, at: Self.at(31_000))
            #expect(breaker.state == .closed)
            let allowed4 = breaker.allowRequest(at: Self.at(31_001))
            #expect(allowed4)
        }

        @Test func aFailedProbeReopensWithADoubledCooldownUpToTheMaximum() {
            var breaker = CircuitBreakerStateMachine(config: Self.config)
            for step in 0..<5 { breaker.record(success: false, at: Self.at(UInt64(step))) }
            var now: UInt64 = 4
            var cooldowns: [UInt64] = []
            for _ in 0..<6 {
                guard case .open(let until) = breaker.state else {
                    Issue.record("expected open")
                    return
                }
                cooldowns.append(until.duration(since: Self.at(now)).milliseconds / 1000)
                now = (until.nanoseconds - Self.at(0).nanoseconds) / 1_000_000
                let allowed5 = breaker.allowRequest(at: Self.at(now))
                #expect(allowed5)
                breaker.record(success: false, at: Self.at(now))
            }
            #expect(cooldowns == [30, 60, 120, 240, 300, 300])
            #expect(breaker.ejections == 7)
        }

        @Test func aQuietPeriodResetsTheCooldownToItsBase() {
            var breaker = CircuitBreakerStateMachine(config: Self.config)
            for step in 0..<5 { breaker.record(success: false, at: Self.at(UInt64(step))) }
            _ = breaker.allowRequest(at: Self.at(30_004))
            breaker.record(success: false, at: Self.at(30_004))  // second ejection: 60s
            _ = breaker.allowRequest(at: Self.at(90_004))
            breaker.record(success: true, at: Self.at(90_004))
            #expect(breaker.nextCooldown == .seconds(120))
            // Closed for maxCooldown (5m): the next ejection starts from 30s again.
            breaker.record(success: true, at: Self.at(390_004))
            #expect(breaker.nextCooldown == .seconds(30))
        }

        @Test func anErrorRateOverTheWindowEjectsOnceThereAreEnoughRequests() {
            var breaker = CircuitBreakerStateMachine(config: CircuitBreakerConfig(consecutiveFailures: 0, errorRatePercent: 50,
                                                                                  minRequests: 20, window: .seconds(10)))
            // Alternating failures: never 5 in a row, but 50 % of the window.
            for step in 0..<19 { breaker.record(success: step % 2 == 1, at: Self.at(UInt64(step) * 100)) }
            #expect(breaker.state == .closed)  // 19 requests: below minRequests
            breaker.record(success: false, at: Self.at(1_900))
            #expect(breaker.ejections == 1)
        }

        @Test func oldFailuresLeaveTheWindow() {
            var breaker = CircuitBreakerStateMachine(config: CircuitBreakerConfig(consecutiveFailures: 0, errorRatePercent: 50,
                                                                                  minRequests: 4, window: .seconds(10)))
            for step in 0..<3 { breaker.record(success: false, at: Self.at(UInt64(step))) }
            for step in 0..<4 { breaker.record(success: true, at: Self.at(20_000 + UInt64(step))) }
            #expect(breaker.state == .closed)
        }

        @Test func resultsArrivingWhileOpenAreIgnored() {
            var breaker = CircuitBreakerStateMachine(config: Self.config)
            for step in 0..<5 { breaker.record(success: false, at: Self.at(UInt64(step))) }
            breaker.record(success: true, at: Self.at(10))
            #expect(breaker.state == .open(until: Self.at(30_004)))
        }

        @Test func aSharedBreakerCountsFailuresFromEveryLoop() async {
            let shared = SharedState(CircuitBreakerStateMachine(config: Self.config))
            await withTaskGroup(of: Void.self) { group in
                for loop in 0..<5 {
                    group.addTask { shared.withLock { $0.record(success: false, at: Self.at(UInt64(loop))) } }
                }
            }
            #expect(shared.withLock { $0.ejections } == 1)
        }
    }
}
