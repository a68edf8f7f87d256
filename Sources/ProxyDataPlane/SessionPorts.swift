import ProxyCore
import ProxyHTTPServer
import ProxyIO
import ProxyUpstream

// The three things a `ProxySession` acts on, as protocols: production passes the connection's
// response writer, the loop's libcurl multi and the event loop; the level-2 tests
// (`Tests/ProxyDataPlaneTests`) pass a recording response, a scripted upstream and a manual
// clock, and drive a session without sockets or real time.

/// The client's side of one exchange. Loop-confined.
protocol ClientResponse: AnyObject {
    /// False once the client disconnected or the response finished.
    var isConnected: Bool { get }
    /// False while unsent bytes are above the high watermark (wait for `responseWritable`).
    var isWritable: Bool { get }
    var headSent: Bool { get }
    func writeHead(_ head: HTTPResponseHead, contentLength: Int?)
    func writeBody(_ bytes: UnsafeRawBufferPointer)
    func finish()
    /// Ends the connection abruptly: a body with a declared length cannot be ended short honestly.
    func resetConnection()
}

extension HTTPResponseWriter: ClientResponse {}

/// Starts upstream transfers. Loop-confined.
protocol UpstreamClient: AnyObject {
    /// A transfer ready to `start()`; nil when none could be made (the delegate then hears
    /// `upstreamFinished` on a later loop turn).
    func prepare(_ request: UpstreamRequest, delegate: any UpstreamTransferDelegate) -> (any UpstreamHandle)?
}

/// One upstream transfer in flight. Loop-confined.
protocol UpstreamHandle: AnyObject {
    /// Begins the transfer; the delegate may be called before this returns.
    func start()
    /// Resumes a transfer paused by `pauseWithoutConsuming`.
    func resume()
    /// Stops the transfer; the delegate is not called again.
    func cancel()
}

extension CurlMulti: UpstreamClient {
    func prepare(_ request: UpstreamRequest, delegate: any UpstreamTransferDelegate) -> (any UpstreamHandle)? {
        UpstreamTransfer.make(request, on: self, delegate: delegate)
    }
}

extension UpstreamTransfer: UpstreamHandle {}

/// Time for a session: the clock and one-shot timers. Loop-confined.
protocol SessionScheduler: AnyObject {
    func now() -> ProxyInstant
    func wallNanoseconds() -> UInt64
    /// Runs `work` on the loop at `deadline` unless cancelled first.
    func schedule(at deadline: ProxyInstant, _ work: @escaping () -> Void) -> any SessionTimer
}

/// A scheduled piece of work that can be called off.
protocol SessionTimer: AnyObject {
    func cancel()
}

extension LoopTimer: SessionTimer {}

/// The event loop as a `SessionScheduler`.
final class LoopScheduler: SessionScheduler {
    unowned(unsafe) let loop: EventLoop  // the loop outlives its context and every session on it

    init(loop: EventLoop) { self.loop = loop }

    func now() -> ProxyInstant { loop.clock.now() }
    func wallNanoseconds() -> UInt64 { loop.clock.wallNanoseconds() }
    func schedule(at deadline: ProxyInstant, _ work: @escaping () -> Void) -> any SessionTimer {
        loop.schedule(at: deadline, work)
    }
}
