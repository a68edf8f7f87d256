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

    @Test func reservedSlotsAreTakenOnlyByTheTopClass() throws {
        // 4 slots, 1 reserved: lower classes get 3, the top class all 4.
        let limiter = ConcurrencyLimiter(limit: 4, queueSize: 10, maxWait: .seconds(10), reserved: 1)
        for _ in 0..<3 { #expect(limiter.acquire(at: Self.now, owner: 0, priority: 1) == .granted) }
        let low = try #require(queue(limiter, priority: 1)).ticket
        #expect(limiter.inFlight == 3, "the low request queues although a (reserved) slot is free")
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 0) == .granted, "the top class takes the reserved slot past the low waiter")
        #expect(limiter.inFlight == 4)
        // The top request ends: its reserved slot is not handed to the low waiter.
        #expect(limiter.release() == nil)
        #expect(limiter.waiting == 1)
        // A low one ends: its slot is an unreserved one, and goes to the low waiter.
        #expect(limiter.release() == low)
        #expect(limiter.waiting == 0)
        #expect(!limiter.tryAcquireWithoutQueueing(), "background work never takes a reserved slot")
    }

    @Test func aTopWaiterGetsTheSlotAFullBackendFrees() throws {
        let limiter = ConcurrencyLimiter(limit: 2, queueSize: 10, maxWait: .seconds(10), reserved: 1)
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 0) == .granted)
        #expect(limiter.acquire(at: Self.now, owner: 0, priority: 0) == .granted)
        let low = try #require(queue(limiter, priority: 1)).ticket
        let top = try #require(queue(limiter, priority: 0)).ticket
        #expect(limiter.release() == top)
        #expect(limiter.release() == nil, "one slot in flight leaves only the reserved one: the low waiter stays")
        #expect(limiter.release() == low)
    }

    @Test func theReservedShareRoundsUpAndNeverTakesEverySlot() {
        #expect(ConcurrencyLimiter.reservedSlots(limit: 10, percent: 25) == 3)
        #expect(ConcurrencyLimiter.reservedSlots(limit: 2, percent: 10) == 1)
        #expect(ConcurrencyLimiter.reservedSlots(limit: 2, percent: 90) == 1)
        #expect(ConcurrencyLimiter.reservedSlots(limit: 1, percent: 50) == 0)
        #expect(ConcurrencyLimiter.reservedSlots(limit: 8, percent: 0) == 0)
    }
}
