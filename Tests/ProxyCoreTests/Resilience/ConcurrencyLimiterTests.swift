import Testing
@testable import ProxyCore

extension ResilienceTests {
    @Suite struct ConcurrencyLimiterTests {
        static func at(_ milliseconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: 1_000_000_000 + milliseconds * 1_000_000) }

        @Test func requestsUpToTheLimitAreGrantedAndTheRestRejectedWithoutAQueue() {
            let limiter = ConcurrencyLimiter(limit: 2)
            #expect(limiter.acquire(at: Self.at(0), owner: 0) == .granted)
            #expect(limiter.acquire(at: Self.at(0), owner: 1) == .granted)
            #expect(limiter.acquire(at: Self.at(0), owner: 0) == .rejected(.noQueue))
            #expect(limiter.release() == nil)
            #expect(limiter.acquire(at: Self.at(1), owner: 0) == .granted)
            #expect(limiter.inFlight == 2)
        }

        @Test func waitersAreServedInArrivalOrderAcrossLoops() {
            let limiter = ConcurrencyLimiter(limit: 1, queueSize: 3, maxWait: .seconds(1))
            #expect(limiter.acquire(at: Self.at(0), owner: 0) == .granted)
            var tickets: [ConcurrencyTicket] = []
            for (index, owner) in [1, 0, 1].enumerated() {
                guard case .queued(let ticket, let position, let deadline, _) = limiter.acquire(at: Self.at(10), owner: owner) else {
                    Issue.record("expected to wait")
                    return
                }
                #expect(position == index + 1)
                #expect(deadline == Self.at(1_010))
                #expect(ticket.owner == owner)
                tickets.append(ticket)
            }
            #expect(limiter.acquire(at: Self.at(10), owner: 0) == .rejected(.queueFull))
            #expect(limiter.waiting == 3)
            // Each release hands the slot to the oldest waiter, whichever loop it is on.
            #expect(limiter.release() == tickets[0])
            #expect(limiter.release() == tickets[1])
            #expect(limiter.inFlight == 1)
            // A newcomer does not overtake the remaining waiter.
            guard case .queued = limiter.acquire(at: Self.at(20), owner: 0) else {
                Issue.record("a newcomer overtook a waiter")
                return
            }
            #expect(limiter.release() == tickets[2])
        }

        @Test func waitersExpireAfterMaxWaitOnTheirOwnLoop() {
            let limiter = ConcurrencyLimiter(limit: 1, queueSize: 4, maxWait: .milliseconds(500))
            _ = limiter.acquire(at: Self.at(0), owner: 0)
            let early = limiter.acquire(at: Self.at(0), owner: 0)
            let other = limiter.acquire(at: Self.at(0), owner: 1)
            let late = limiter.acquire(at: Self.at(300), owner: 0)
            #expect(limiter.expire(at: Self.at(499), owner: 0).isEmpty)
            guard case .queued(let earlyTicket, _, _, _) = early, case .queued(let otherTicket, _, _, _) = other,
                  case .queued(let lateTicket, _, _, _) = late else {
                Issue.record("expected three waiters")
                return
            }
            #expect(limiter.expire(at: Self.at(500), owner: 0) == [earlyTicket])
            #expect(limiter.expire(at: Self.at(500), owner: 1) == [otherTicket])
            #expect(limiter.waiting == 1)
            #expect(limiter.release() == lateTicket)
        }

        @Test func cancellingTellsWhetherTheSlotWasAlreadyHandedOver() {
            let limiter = ConcurrencyLimiter(limit: 1, queueSize: 2, maxWait: .seconds(1))
            _ = limiter.acquire(at: Self.at(0), owner: 0)
            guard case .queued(let first, _, _, _) = limiter.acquire(at: Self.at(0), owner: 0),
                  case .queued(let second, _, _, _) = limiter.acquire(at: Self.at(0), owner: 0) else {
                Issue.record("expected two waiters")
                return
            }
            #expect(limiter.cancel(first))
            #expect(limiter.release() == second)
            #expect(!limiter.cancel(second))
            #expect(limiter.release() == nil)
            #expect(limiter.inFlight == 0 && limiter.waiting == 0)
        }

        @Test func theConfigBuildsTheLimiter() throws {
            let backend = BackendConfig(name: "local", provider: .vllm, baseURL: try BackendURL.parse("http://10.0.0.1:8000").get(),
                                        maxConcurrentRequests: 2, queue: QueueConfig(size: 8, maxWait: .seconds(3)))
            let limiter = try #require(ConcurrencyLimiter(backend))
            #expect(limiter.limit == 2 && limiter.queueSize == 8 && limiter.maxWait == .seconds(3))
            #expect(ConcurrencyLimiter(BackendConfig(name: "x", provider: .openai, baseURL: backend.baseURL)) == nil)
        }

        @Test func tenConcurrentRequestsAgainstALimitOfTwoNeverExceedIt() async {
            let limiter = ConcurrencyLimiter(limit: 2, queueSize: 100, maxWait: .seconds(60))
            // Two loops hammering one limiter: the in-flight count must never pass the limit,
            // and every granted slot must eventually be released.
            await withTaskGroup(of: Int.self) { group in
                for owner in 0..<2 {
                    group.addTask {
                        var maxSeen = 0
                        for round in 0..<2_000 {
                            switch limiter.acquire(at: Self.at(UInt64(round)), owner: owner) {
                            case .granted:
                                maxSeen = max(maxSeen, limiter.inFlight)
                                // A ticket handed over here is released by its owner, whose cancel fails.
                                _ = limiter.release()
                            case .queued(let ticket, _, _, _):
                                if !limiter.cancel(ticket) { _ = limiter.release() }
                            case .rejected:
                                break
                            }
                        }
                        return maxSeen
                    }
                }
                for await maxSeen in group { #expect(maxSeen <= 2) }
            }
            #expect(limiter.waiting == 0)
            #expect(limiter.inFlight == 0)
        }
    }
}
