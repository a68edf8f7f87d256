import Glibc
import Synchronization

/// N event loops, each on its own thread, started together and stopped together.
///
/// Threads are started from this (nonisolated) library code: a closure written in a
/// `main.swift` would be main-actor isolated and crash when run on another thread.
package final class EventLoopGroup: Sendable {
    package let loops: [EventLoop]
    private let threads = Mutex<[pthread_t]>([])

    package init(count: Int) throws(SystemCallError) {
        precondition(count >= 1, "an event loop group needs at least one loop")
        var loops: [EventLoop] = []
        for index in 0..<count { loops.append(try EventLoop(index: index)) }
        self.loops = loops
    }

    /// Starts one thread per loop. `setUp` runs first on each loop's thread, before any event.
    package func start(setUp: @escaping @Sendable (EventLoop) -> Void) {
        for loop in loops {
            let box = Unmanaged.passRetained(ThreadStart { setUp(loop); loop.run() })
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
                start.body()
                return nil
            }, box.toOpaque())
            precondition(result == 0, "pthread_create failed: \(result)")
            threads.withLock { $0.append(thread) }
        }
    }

    /// Stops every loop and waits for its thread to end. Call from outside the loops.
    package func stopAndJoin() {
        for loop in loops { loop.stop() }
        let started = threads.withLock { threads in
            defer { threads.removeAll() }
            return threads
        }
        for thread in started { pthread_join(thread, nil) }
    }

    /// Waits for every loop's thread to end (after each was stopped by its own logic).
    package func join() {
        let started = threads.withLock { threads in
            defer { threads.removeAll() }
            return threads
        }
        for thread in started { pthread_join(thread, nil) }
    }
}

/// A thread's body, passed to `pthread_create` through an `Unmanaged` pointer.
final class ThreadStart {
    let body: () -> Void
    init(body: @escaping () -> Void) { self.body = body }

    /// Runs `body` on a new detached thread; returns `pthread_create`'s error, 0 when it started.
    static func detached(_ body: @escaping () -> Void) -> Int32 {
        let start = Unmanaged.passRetained(ThreadStart(body: body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { raw in
            Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, start.toOpaque())
        if created != 0 { start.release() }
        return created
    }
}
