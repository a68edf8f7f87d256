import CLinuxShims
import Glibc
import ProxyCore
import Synchronization

/// One epoll loop, run by one thread for its whole life.
///
/// Everything registered on a loop (sockets, timers, libcurl's multi handle) is touched
/// only on that loop's thread; the only entry point from other threads is `execute(_:)`.
///
/// `@unchecked Sendable`: the mutable state below is confined to the loop thread
/// (checked by `assertInLoop()` in debug builds); the task queue is behind a `Mutex`
/// and the wake-up is an eventfd, both safe from any thread.
package final class EventLoop: @unchecked Sendable {
    /// A registered file descriptor; epoll's user data carries fd and generation so an
    /// event for a closed-and-reused fd is recognised as stale and dropped.
    private struct Registration {
        var generation: UInt32
        var handler: any IOEventHandler
    }

    package let index: Int
    package let clock = MonotonicClock()
    private let epollFD: Int32
    private let wakeFD: Int32
    private var registrations: [Registration?] = []
    private var nextGeneration: UInt32 = 1
    private let pendingTasks = Mutex<[@Sendable () -> Void]>([])
    private var running = true
    private var threadID: pthread_t?
    var timers = TimerHeap()
    /// The monotonic time when the loop last woke up. Handlers take deadlines measured in
    /// seconds from it, so a busy loop reads the clock twice per wake-up, not per request.
    package private(set) var wakeTime: ProxyInstant

    package init(index: Int) throws(SystemCallError) {
        self.index = index
        wakeTime = clock.now()
        epollFD = try blockingSystemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            wakeFD = try blockingSystemCall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
            try blockingSystemCall("epoll_ctl") {
                sluice_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, EPOLLIN.rawValue, UInt64(UInt32.max))
            }
        } catch {
            close(epollFD)
            throw error
        }
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    /// True when called on this loop's thread.
    package var inLoop: Bool {
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    @inline(__always)
    package func assertInLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(threadID == nil || inLoop, "called off the event loop's thread", file: file, line: line)
    }

    // MARK: Registration

    /// Registers `fd` for `interest`; events go to `handler` until `deregister`.
    /// The loop keeps a strong reference to the handler while registered.
    package func register(fd: Int32, interest: IOEvents, handler: any IOEventHandler) throws(SystemCallError) {
        assertInLoop()
        let slot = Int(fd)
        if slot >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: slot - registrations.count + 1))
        }
        let generation = nextGeneration
        nextGeneration = nextGeneration == UInt32.max - 1 ? 1 : nextGeneration + 1
        try blockingSystemCall("epoll_ctl(ADD)") {
            sluice_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, interest.rawValue, Self.userData(fd: fd, generation: generation))
        }
        registrations[slot] = Registration(generation: generation, handler: handler)
    }

    /// Changes what `fd` is watched for.
    package func modify(fd: Int32, interest: IOEvents) throws(SystemCallError) {
        assertInLoop()
        guard let registration = registrations[Int(fd)] else { return }
        try blockingSystemCall("epoll_ctl(MOD)") {
            sluice_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, interest.rawValue, Self.userData(fd: fd, generation: registration.generation))
        }
    }

    /// Stops watching `fd`. Call before closing it.
    package func deregister(fd: Int32) {
        assertInLoop()
        guard Int(fd) < registrations.count, registrations[Int(fd)] != nil else { return }
        registrations[Int(fd)] = nil
        // The fd may already be closed by a library (libcurl); ENOENT/EBADF are fine here.
        _ = sluice_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Stops watching `fd` only if `handler` is still the one registered for it: a library
    /// that reports a socket's removal late must not drop a newer registration of a reused fd.
    package func deregister(fd: Int32, ifHandler handler: any IOEventHandler) {
        guard Int(fd) < registrations.count, let current = registrations[Int(fd)],
              current.handler === handler else { return }
        deregister(fd: fd)
    }

    private static func userData(fd: Int32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    // MARK: Cross-thread tasks

    /// Runs `task` on this loop's thread, soon. Safe from any thread.
    package func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = pendingTasks.withLock { tasks in
            tasks.append(task)
            return tasks.count == 1
        }
        if wasEmpty { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(wakeFD, $0.baseAddress, 8) }
    }

    private func runPendingTasks() {
        var drained: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &drained) { read(wakeFD, $0.baseAddress, 8) }
        let tasks = pendingTasks.withLock { tasks in
            defer { tasks.removeAll(keepingCapacity: true) }
            return tasks
        }
        for task in tasks { task() }
    }

    // MARK: Running

    /// Stops the loop after the current iteration. Safe from any thread.
    package func stop() {
        execute { [self] in running = false }
    }

    /// Runs the loop on the calling thread until `stop()`.
    package func run() {
        threadID = pthread_self()
        var events = [UInt32](repeating: 0, count: 256)
        var datas = [UInt64](repeating: 0, count: 256)
        while running {
            let timeout = timers.millisecondsUntilNextDeadline(now: wakeTime)
            let count = events.withUnsafeMutableBufferPointer { ev in
                datas.withUnsafeMutableBufferPointer { da in
                    sluice_epoll_wait(epollFD, ev.baseAddress, da.baseAddress, 256, timeout)
                }
            }
            if count < 0 {
                let code = sluice_errno()
                if code == EINTR { continue }
                fatalError("epoll_wait failed: errno \(code)")
            }
            wakeTime = clock.now()
            for i in 0..<Int(count) {
                let data = datas[i]
                if data == UInt64(UInt32.max) {
                    runPendingTasks()
                    continue
                }
                let fd = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: data)))
                let generation = UInt32(truncatingIfNeeded: data >> 32)
                // A handler earlier in this batch may have closed this fd.
                guard fd < registrations.count, let registration = registrations[fd],
                      registration.generation == generation else { continue }
                registration.handler.handleIOEvents(IOEvents(rawValue: events[i]))
            }
            if count > 0 { wakeTime = clock.now() }
            while let timer = timers.popDue(now: wakeTime) { timer.fire() }
        }
        runPendingTasks()
    }
}
