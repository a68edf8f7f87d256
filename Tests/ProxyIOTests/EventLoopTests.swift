import Glibc
import ProxyCore
import Synchronization
import Testing
@testable import ProxyIO

/// A thread-safe box for results produced on a loop thread.
final class Collected<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

/// Waits for `condition` with a deadline instead of sleeping a fixed time.
func waitUntil(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let clock = MonotonicClock()
    let deadline = clock.now().advanced(by: ProxyDuration(nanoseconds: UInt64(seconds * 1e9)))
    while clock.now() < deadline {
        if condition() { return true }
        sched_yield()
        usleep(200)  // lint: allow-sleep (yields between polls of a deadline-bounded wait)
    }
    return condition()
}

@Suite struct EventLoopTests {
    @Test func tasksSubmittedFromAnotherThreadRunOnTheLoopInOrder() throws {
        let group = try EventLoopGroup(count: 1)
        group.start { _ in }
        let loop = group.loops[0]
        let seen = Collected<Int>()
        for i in 0..<100 { loop.execute { seen.append(loop.inLoop ? i : -1) } }
        #expect(waitUntil { seen.values.count == 100 })
        #expect(seen.values == Array(0..<100))
        group.stopAndJoin()
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesNever() throws {
        let group = try EventLoopGroup(count: 1)
        group.start { _ in }
        let loop = group.loops[0]
        let fired = Collected<Int>()
        loop.execute {
            loop.schedule(after: .milliseconds(30)) { fired.append(3) }
            loop.schedule(after: .milliseconds(10)) { fired.append(1) }
            let cancelled = loop.schedule(after: .milliseconds(15)) { fired.append(99) }
            loop.schedule(after: .milliseconds(20)) { fired.append(2) }
            loop.schedule(after: .zero) { fired.append(0) }
            cancelled.cancel()
        }
        #expect(waitUntil { fired.values.count == 4 })
        #expect(fired.values == [0, 1, 2, 3])
        group.stopAndJoin()
    }

    @Test func aReArmableTimerFiresOncePerArmingAndMovesWhenArmedAgain() throws {
        let group = try EventLoopGroup(count: 1)
        group.start { _ in }
        let loop = group.loops[0]
        let fired = Collected<String>()
        let counts = Collected<Int>()
        nonisolated(unsafe) var timer: LoopTimer?
        loop.execute {
            let base = loop.clock.now()
            timer = loop.makeTimer { fired.append("rearmable") }
            counts.append(loop.scheduledTimerCount)  // made, not armed: 0
            loop.schedule(at: base.advanced(by: .milliseconds(20))) { fired.append("b") }
            // Armed late, then moved earlier: it fires once, at the earlier deadline.
            loop.arm(timer!, at: base.advanced(by: .milliseconds(60)))
            loop.arm(timer!, at: base.advanced(by: .milliseconds(10)))
            counts.append(loop.scheduledTimerCount)  // 2: moving did not add an entry
            loop.schedule(at: base.advanced(by: .milliseconds(40))) {
                fired.append("c")
                // Fired already; armed again, it fires again.
                loop.arm(timer!, at: loop.clock.now().advanced(by: .milliseconds(10)))
            }
        }
        #expect(waitUntil { fired.values.count == 4 })
        #expect(fired.values == ["rearmable", "b", "c", "rearmable"])
        #expect(counts.values == [0, 2])
        // Cancelled, it never fires; armed after that, it does.
        loop.execute {
            loop.arm(timer!, at: loop.clock.now().advanced(by: .milliseconds(5)))
            timer!.cancel()
            counts.append(loop.scheduledTimerCount)
            loop.schedule(after: .milliseconds(30)) { fired.append("d") }
        }
        #expect(waitUntil { fired.values.count == 5 })
        #expect(fired.values.last == "d")
        #expect(counts.values == [0, 2, 0])  // cancelled: out of the heap at once
        loop.execute { loop.arm(timer!, at: loop.clock.now()) }
        #expect(waitUntil { fired.values.count == 6 })
        #expect(fired.values.last == "rearmable")
        group.stopAndJoin()
    }

    @Test func aTimerNeverFiresBeforeItsDeadline() throws {
        let group = try EventLoopGroup(count: 1)
        group.start { _ in }
        let loop = group.loops[0]
        let lateness = Collected<Bool>()
        loop.execute {
            let deadline = loop.clock.now().advanced(by: .milliseconds(25))
            loop.schedule(at: deadline) { lateness.append(loop.clock.now() >= deadline) }
        }
        #expect(waitUntil { lateness.values.count == 1 })
        #expect(lateness.values == [true])
        group.stopAndJoin()
    }
}

@Suite struct SocketTests {
    final class Acceptor: IOEventHandler {
        let fd: Int32
        let accepted: Collected<Int32>
        init(fd: Int32, accepted: Collected<Int32>) { self.fd = fd; self.accepted = accepted }
        func handleIOEvents(_ events: IOEvents) {
            while case .done(let client) = (try? Socket.accept(fd)) ?? .wouldBlock {
                accepted.append(client)
                Socket.close(client)
            }
        }
    }

    @Test func listenersOnPortZeroShareThePortWithReusePort() throws {
        let first = try Socket.listen(on: SocketAddress("127.0.0.1:0")!)
        defer { Socket.close(first) }
        let port = try SocketAddress.local(of: first).port
        #expect(port != 0)
        let second = try Socket.listen(on: SocketAddress("127.0.0.1:\(port)")!)
        defer { Socket.close(second) }
        #expect(try SocketAddress.local(of: second).port == port)
    }

    @Test func aLoopAcceptsConnectionsOnItsListener() throws {
        let listener = try Socket.listen(on: SocketAddress("127.0.0.1:0")!)
        let address = try SocketAddress.local(of: listener)
        let accepted = Collected<Int32>()
        let group = try EventLoopGroup(count: 1)
        group.start { loop in
            try? loop.register(fd: listener, interest: .readable, handler: Acceptor(fd: listener, accepted: accepted))
        }
        var clients: [Int32] = []
        for _ in 0..<3 { clients.append(try Socket.connect(to: address)) }
        #expect(waitUntil { accepted.values.count == 3 })
        clients.forEach(Socket.close)
        group.stopAndJoin()
        Socket.close(listener)
    }

    @Test func addressesParseAndRejectNames() {
        #expect(SocketAddress("127.0.0.1:4000")?.port == 4000)
        #expect(SocketAddress("[::1]:80")?.family == .v6)
        #expect(SocketAddress("localhost:80") == nil)
        #expect(SocketAddress("127.0.0.1") == nil)
        #expect(SocketAddress("127.0.0.1:70000") == nil)
    }
}

@Suite struct TimerHeapTests {
    @Test func cancelledTimersLeaveTheHeapAtOnce() throws {
        let group = try EventLoopGroup(count: 1)
        group.start { _ in }
        let loop = group.loops[0]
        let counts = Collected<Int>()
        let fired = Collected<Int>()
        loop.execute {
            // Like requests that each arm a long timeout and cancel it when they finish.
            for i in 0..<10_000 {
                let timer = loop.schedule(after: .seconds(60)) { fired.append(i) }
                if i % 2 == 0 { timer.cancel() }
            }
            counts.append(loop.scheduledTimerCount)
            // Cancel the rest in a scrambled order: the heap must stay a heap.
            var survivors: [LoopTimer] = []
            // Deadlines from one instant: on a busy machine "now" moves between two `schedule(after:)`.
            let base = loop.clock.now()
            for i in 0..<100 {
                survivors.append(loop.schedule(at: base.advanced(by: .milliseconds(UInt64(100 - i)))) { fired.append(-i) })
            }
            for (index, timer) in survivors.enumerated() where index % 3 == 0 { timer.cancel() }
            counts.append(loop.scheduledTimerCount)
        }
        #expect(waitUntil { counts.values.count == 2 })
        #expect(counts.values[0] == 5_000)
        #expect(counts.values[1] == 5_000 + 66)
        // The 66 short timers that were not cancelled fire, in deadline order.
        #expect(waitUntil { fired.values.count == 66 })
        let order = fired.values.map { -$0 }
        #expect(order == order.sorted(by: >))
        group.stopAndJoin()
    }
}
