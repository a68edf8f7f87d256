import Testing
@testable import ProxyCore

/// Priority classes in a backend's queue: higher first, FIFO within a class, the lowest shed first.
@Suite struct ConcurrencyLimiterPriorityTests {
    static let now = ProxyInstant(nanoseconds: 1_000_000_000)

    func queue(_ limiter: ConcurrencyLimiter, priority: Int) -> (ticket: ConcurrencyTicket, displaced: ConcurrencyTicket?)? {
        guard case .queued(let ticket, _, _, let displaced) = limiter.acquire(at: Self.now, owner: 0, priority: priority) else { return nil }
        return (ticket, displaced)
    }

    @Test func higherPriorityWaitersAreServedFirstAndFIFOWithinAClass() throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueSize: 10, maxWait: .seconds(10))
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 1) == .granted)
        let low1 = try #require(queue(limiter, priority: 1)).ticket
        let high1 = try #require(queue(limiter, priority: 0)).ticket
        let low2 = try #require(queue(limiter, priority: 1)).ticket
        let high2 = try #require(queue(limiter, priority: 0)).ticket
        var order: [ConcurrencyTicket] = []
        while let next = limiter.release() { order.append(next) }
        #expect(order == [high1, high2, low1, low2])
    }

    @Test func aFullQueueShedsTheNewestLowestWaiterForAHigherOne() throws {
        let limiter = ConcurrencyLimiter(limit: 1, queueSize: 2, maxWait: .seconds(10))
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 2) == .granted)
        let lowOld = try #require(queue(limiter, priority: 2)).ticket
        let lowNew = try #require(queue(limiter, priority: 2)).ticket
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 2) == .rejected(.queueFull), "an equal priority displaces nobody")
        let high = try #require(queue(limiter, priority: 0))
        #expect(high.displaced == lowNew)
        #expect(limiter.waiting == 2)
        #expect(!limiter.cancel(lowNew), "the shed waiter is no longer queued")
        let middle = try #require(queue(limiter, priority: 1))
        #expect(middle.displaced == lowOld)
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 1) == .rejected(.queueFull), "no lower waiter is left to shed")
        #expect(limiter.release() == high.ticket)
        #expect(limiter.release() == middle.ticket)
    }
}
