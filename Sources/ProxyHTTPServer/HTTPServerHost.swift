import Glibc
import ProxyCore
import ProxyIO
import Synchronization

/// Runs a process's HTTP listeners on one event-loop group and owns its lifecycle:
/// bind, announce, serve, and on SIGTERM/SIGINT drain gracefully.
///
/// Used from `main` on the main thread. The drain order follows Kubernetes: readiness
/// goes false first (`onDrainStart`), listeners stop accepting, in-flight requests and
/// streams finish until `drainTimeout`, then whatever is left is closed.
package final class HTTPServerHost {
    package let group: EventLoopGroup
    private let servers: [HTTPServer]

    package init(workers: Int, servers: [HTTPServer]) throws(SystemCallError) {
        SignalWatcher.blockSignals()
        group = try EventLoopGroup(count: workers)
        self.servers = servers
    }

    /// Binds every listener, starts the loops, and writes one `listening` line per listener
    /// to stderr once it accepts connections. `setUp` runs on each loop before serving.
    package func start(setUp: @escaping @Sendable (EventLoop) -> Void = { _ in }) throws(SystemCallError) {
        var addresses: [SocketAddress] = []
        for server in servers { addresses.append(try server.bind(loopCount: group.loops.count)) }
        let ready = CompletionLatchCounter(count: group.loops.count)
        let latch = try CompletionLatch()
        let servers = self.servers
        group.start { loop in
            setUp(loop)
            for server in servers {
                do {
                    try server.attach(to: loop)
                } catch {
                    StandardStreams.writeLine(#"{"event":"fatal","error":"attach \#(server.configuration.name): \#(error)"}"#)
                    exit(1)
                }
            }
            if ready.arrive() { latch.signal() }
        }
        _ = latch.wait(milliseconds: 10_000)
        for (server, address) in zip(servers, addresses) {
            StandardStreams.writeLine(#"{"event":"listening","name":"\#(server.configuration.name)","address":"\#(address)"}"#)
        }
    }

    /// Blocks until SIGTERM or SIGINT, then drains. Returns the process exit code.
    package func runUntilSignalled(drainTimeout: ProxyDuration, onDrainStart: () -> Void = {}) -> Int32 {
        guard let watcher = try? SignalWatcher() else { return 1 }
        var signal: Int32
        repeat { signal = watcher.wait() } while signal == SIGHUP
        StandardStreams.writeLine(#"{"event":"draining","signal":\#(signal),"timeout_ms":\#(drainTimeout.milliseconds)}"#)
        onDrainStart()
        guard let latch = try? CompletionLatch() else { return 1 }
        let draining = servers.filter { !$0.configuration.servesWhileDraining }
        let remaining = CompletionLatchCounter(count: draining.count)
        for server in draining {
            server.drain(on: group) { if remaining.arrive() { latch.signal() } }
        }
        let drained = draining.isEmpty || latch.wait(milliseconds: Int32(min(drainTimeout.milliseconds, UInt64(Int32.max))))
        for server in servers { server.forceClose(on: group) }
        group.stopAndJoin()
        StandardStreams.writeLine(#"{"event":"stopped","drained":\#(drained)}"#)
        return 0
    }
}

/// Counts arrivals; true for the last one.
private final class CompletionLatchCounter: Sendable {
    private let remaining: Atomic<Int>
    init(count: Int) { remaining = Atomic(count) }
    func arrive() -> Bool { remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 }
}
