import ProxyCore
import ProxyIO
import Synchronization

/// An HTTP/1.1 listener served by every loop of an `EventLoopGroup`.
///
/// `bind()` runs on the main thread before the loops start (so port 0 resolves to one
/// port shared by all loops through SO_REUSEPORT); `attach(to:)` runs in each loop's
/// set-up; `drain` and `forceClose` may be called from any thread.
package final class HTTPServer: Sendable {
    package let configuration: HTTPServerConfiguration
    private let makeHandler: @Sendable (EventLoop) -> any HTTPRequestHandler
    private let listenerFDs = Mutex<[Int32]>([])  // lint: allow-lock (bind and attach only)
    /// The workers, one per loop index; each is touched only on its own loop.
    private let workers = Mutex<[Int: WorkerRef]>([:])  // lint: allow-lock (attach and drain only)
    private let boundAddress = Mutex<SocketAddress?>(nil)  // lint: allow-lock (set-up only)

    package init(configuration: HTTPServerConfiguration, makeHandler: @escaping @Sendable (EventLoop) -> any HTTPRequestHandler) {
        self.configuration = configuration
        self.makeHandler = makeHandler
    }

    /// Creates one listening socket per loop and returns the bound address.
    package func bind(loopCount: Int) throws(SystemCallError) -> SocketAddress {
        var fds: [Int32] = []
        var address = configuration.address
        do {
            for _ in 0..<loopCount {
                let fd = try Socket.listen(on: address)
                fds.append(fd)
                if address.port == 0 { address.port = try SocketAddress.local(of: fd).port }
            }
        } catch {
            fds.forEach(Socket.close)
            throw error
        }
        listenerFDs.withLock { $0 = fds }
        boundAddress.withLock { $0 = address }
        return address
    }

    /// The address after `bind`, for the `listening` event.
    package var address: SocketAddress? { boundAddress.withLock { $0 } }

    /// Starts serving on `loop`. Call on the loop's thread, once per loop.
    package func attach(to loop: EventLoop) throws(SystemCallError) {
        guard let fd = listenerFDs.withLock({ $0.indices.contains(loop.index) ? $0[loop.index] : nil }) else {
            preconditionFailure("attach(to:) for loop \(loop.index) before bind(loopCount:)")
        }
        let worker = try HTTPServerWorker(loop: loop, listenerFD: fd, configuration: configuration, handler: makeHandler(loop))
        workers.withLock { $0[loop.index] = WorkerRef(worker: worker) }
    }

    /// Stops accepting on every loop; `drained` is called (on some loop) when the last
    /// connection of this server has closed.
    package func drain(on group: EventLoopGroup, drained: @escaping @Sendable () -> Void) {
        let remainingBox = AtomicBox(remaining: group.loops.count)
        for loop in group.loops {
            loop.execute { [self] in
                guard let worker = workers.withLock({ $0[loop.index]?.worker }) else {
                    if remainingBox.decrement() { drained() }
                    return
                }
                worker.beginDrain {
                    if remainingBox.decrement() { drained() }
                }
            }
        }
    }

    /// Closes every connection at once (the drain deadline passed).
    package func forceClose(on group: EventLoopGroup) {
        for loop in group.loops {
            loop.execute { [self] in
                workers.withLock({ $0[loop.index]?.worker })?.closeAll()
            }
        }
    }
}

/// A loop-confined worker carried through the set-up lock.
///
/// `@unchecked Sendable`: the reference crosses threads only to be handed back to code
/// running on the worker's own loop (`loop.execute`), never dereferenced elsewhere.
private struct WorkerRef: @unchecked Sendable {
    let worker: HTTPServerWorker
}

/// Counts loops still draining.
private final class AtomicBox: Sendable {
    private let remaining: Atomic<Int>
    init(remaining: Int) { self.remaining = Atomic(remaining) }
    /// True for the call that brings the count to zero.
    func decrement() -> Bool { remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }
}
