import Testing
@testable import ProxyCore

extension ResilienceTests {
    @Suite struct WarmupSchedulerTests {
        static let start = ProxyInstant(nanoseconds: 3_000_000_000)
        static func at(_ seconds: UInt64) -> ProxyInstant { start.advanced(by: .seconds(seconds)) }
        static let config = WarmupConfig(idleAfter: .seconds(300), interval: .seconds(60), request: .get(path: "/models"))

        @Test func oneStartUpPingThenPingsOnlyAfterTheIdlePeriodAtTheInterval() {
            var scheduler = WarmupScheduler(config: Self.config, start: Self.start)
            #expect(scheduler.nextPing(at: Self.start) == Self.start)
            #expect(scheduler.shouldPing(at: Self.start))
            scheduler.recordPingSent(at: Self.start)
            #expect(scheduler.nextPing(at: Self.at(1)) == nil)  // in flight
            scheduler.recordPingResult(success: true, at: Self.at(1))
            #expect(scheduler.nextPing(at: Self.at(1)) == Self.at(300))
            #expect(!scheduler.shouldPing(at: Self.at(299)))
            var sent: [UInt64] = []
            var now: UInt64 = 300
            while now <= 600 {
                if scheduler.shouldPing(at: Self.at(now)) {
                    scheduler.recordPingSent(at: Self.at(now))
                    scheduler.recordPingResult(success: true, at: Self.at(now))
                    sent.append(now)
                }
                now += 1
            }
            #expect(sent == [300, 360, 420, 480, 540, 600])
            #expect(scheduler.pingsSent == 7)
        }

        @Test func noPingsWhileTrafficFlows() {
            var scheduler = WarmupScheduler(config: Self.config, start: Self.start)
            scheduler.recordPingSent(at: Self.start)
            scheduler.recordPingResult(success: true, at: Self.start)
            var pings = 0
            for second in stride(from: UInt64(0), through: 3_600, by: 1) {
                if second % 120 == 0 { scheduler.recordTraffic(at: Self.at(second)) }  // a request every 2 minutes
                if scheduler.shouldPing(at: Self.at(second)) { pings += 1 }
            }
            #expect(pings == 0)
            #expect(scheduler.nextPing(at: Self.at(3_600)) == Self.at(3_600 + 300))
        }

        @Test func trafficBeforeTheStartUpPingMakesItUnnecessary() {
            var scheduler = WarmupScheduler(config: Self.config, start: Self.start)
            scheduler.recordTraffic(at: Self.at(0))
            #expect(scheduler.nextPing(at: Self.at(0)) == Self.at(300))
        }

        @Test func failedPingsSlowDownUpToEightTimesTheInterval() {
            var scheduler = WarmupScheduler(config: Self.config, start: Self.start)
            var now: UInt64 = 0
            var gaps: [UInt64] = []
            for _ in 0..<6 {
                scheduler.recordPingSent(at: Self.at(now))
                scheduler.recordPingResult(success: false, at: Self.at(now))
                let next = scheduler.nextPing(at: Self.at(now))!
                let nextSecond = next.duration(since: Self.start).milliseconds / 1000
                gaps.append(nextSecond - now)
                now = nextSecond
            }
            // The first gap is the idle period (300s); afterwards 120, 240, 480, 480…
            #expect(gaps == [300, 240, 480, 480, 480, 480])
            scheduler.recordPingSent(at: Self.at(now))
            scheduler.recordPingResult(success: true, at: Self.at(now))
            #expect(scheduler.nextPing(at: Self.at(now)) == Self.at(now + 60))
        }
    }
}
