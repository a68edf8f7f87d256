import ProxyCore
import ProxyIO

/// One listener's state on one event loop: its listening socket, its connections,
/// the scratch buffer reads land in, and the sweep that enforces timeouts.
///
/// Loop-confined: created and used only on `loop`'s thread.
final class HTTPServerWorker: IOEventHandler {
    let loop: EventLoop
    let configuration: HTTPServerConfiguration
    let handler: any HTTPRequestHandler
    private var listenerFD: Int32?
    private var connections: [Int32: HTTPConnection] = [:]
    private var sweepTimer: LoopTimer?
    private(set) var draining = false
    private var drainedCallback: (() -> Void)?
    /// Reads land here first; a connection copies only what it cannot parse yet.
    let scratch: UnsafeMutableRawBufferPointer

    init(loop: EventLoop, listenerFD: Int32, configuration: HTTPServerConfiguration, handler: any HTTPRequestHandler) throws(SystemCallError) {
        self.loop = loop
        self.configuration = configuration
        self.handler = handler
        self.listenerFD = listenerFD
        scratch = .allocate(byteCount: 64 * 1024, alignment: 16)
        try loop.register(fd: listenerFD, interest: .readable, handler: self)
        scheduleSweep()
    }

    deinit { scratch.deallocate() }

    var connectionCount: Int { connections.count }

    private var cachedDate = ""
    /// The loop's wake time at which `cachedDate` names a second that has passed.
    private var cachedDateExpiry = ProxyInstant(nanoseconds: 0)

    /// The `Date` header value (RFC 9110 §6.6.1): the wall clock is read and formatted once
    /// per second, checked against the loop's wake time, which costs no system call.
    func currentDate() -> String {
        let now = loop.wakeTime
        if now >= cachedDateExpiry {
            let wall = loop.clock.wallNanoseconds()
            cachedDate = HTTPDate.imfFixdate(epochSeconds: wall / 1_000_000_000)
            cachedDateExpiry = now.advanced(by: ProxyDuration(nanoseconds: 1_000_000_000 - wall % 1_000_000_000))
        }
        return cachedDate
    }

    /// Output buffers of connections gone idle, kept for the next busy one. Bounded in number
    /// and size, so memory follows the busiest moment's concurrency, never the idle connections.
    private var spareOutboundBuffers: [[UInt8]] = []
    private static let maxSpareOutboundBuffers = 32
    private static let maxSpareOutboundCapacity = 16 * 1024

    /// An empty buffer with capacity: a spare if there is one, else a new one.
    func takeOutboundBuffer() -> [UInt8] {
        if let spare = spareOutboundBuffers.popLast() { return spare }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        return buffer
    }

    /// Takes `buffer`'s memory for a later `takeOutboundBuffer()`, leaving `buffer` empty without capacity.
    func recycleOutboundBuffer(_ buffer: inout [UInt8]) {
        guard buffer.capacity > 0 else { return }
        var spare: [UInt8] = []
        swap(&spare, &buffer)
        guard spare.capacity <= Self.maxSpareOutboundCapacity,
              spareOutboundBuffers.count < Self.maxSpareOutboundBuffers else { return }
        spare.removeAll(keepingCapacity: true)
        if spareOutboundBuffers.capacity == 0 { spareOutboundBuffers.reserveCapacity(Self.maxSpareOutboundBuffers) }
        spareOutboundBuffers.append(spare)
    }

    /// Accepts every pending connection on the listener.
    func handleIOEvents(_ events: IOEvents) {
        guard let listenerFD else { return }
        // Bounded so one busy listener cannot starve the loop's other work.
        for _ in 0..<128 {
            let result: IOResult<Int32>
            do {
                result = try Socket.accept(listenerFD)
            } catch {
                // EMFILE, ECONNABORTED…: the connection is lost, the listener is fine.
                StandardStreams.writeLine(#"{"event":"accept_failed","listener":"\#(configuration.name)","error":"\#(error.description)"}"#)
                return
            }
            guard case .done(let fd) = result else { return }
            var tls: TLSSession?
            if let context = configuration.tls {
                guard let session = context.makeSession(fd: fd) else {
                    Socket.close(fd)
                    continue
                }
                tls = session
            }
            let connection = HTTPConnection(fd: fd, worker: self, tls: tls)
            do {
                try loop.register(fd: fd, interest: IOEvents.readable.union(.readHangup), handler: connection)
                connections[fd] = connection
            } catch {
                Socket.close(fd)
            }
        }
    }

    func connectionClosed(_ connection: HTTPConnection) {
        connections[connection.fd] = nil
        if draining && connections.isEmpty { finishDrain() }
    }

    private func scheduleSweep() {
        sweepTimer = loop.schedule(after: configuration.sweepInterval) { [weak self] in
            guard let self else { return }
            self.sweep()
            self.scheduleSweep()
        }
    }

    private func sweep() {
        let now = loop.clock.now()
        var expired: [HTTPConnection] = []
        for connection in connections.values {
            if let deadline = connection.deadline, deadline <= now { expired.append(connection) }
        }
        for connection in expired where !connection.closed { connection.deadlineExpired() }
    }

    /// Stops accepting, closes idle connections, and lets busy ones finish their response.
    /// `drained` runs on this loop once the last connection is closed.
    func beginDrain(drained: @escaping () -> Void) {
        draining = true
        drainedCallback = drained
        if let listenerFD {
            loop.deregister(fd: listenerFD)
            Socket.close(listenerFD)
            self.listenerFD = nil
        }
        for connection in Array(connections.values) { connection.closeIfIdle() }
        if connections.isEmpty { finishDrain() }
    }

    /// Closes every connection now (the drain deadline passed).
    func closeAll() {
        for connection in Array(connections.values) { connection.abort() }
        sweepTimer?.cancel()
    }

    private func finishDrain() {
        sweepTimer?.cancel()
        let callback = drainedCallback
        drainedCallback = nil
        callback?()
    }
}

extension HTTPServerWorker {
    /// The parser limits for the next request: the listener's, with the handler's current body
    /// limit when it has one (the sidecar's follows the config snapshot, so a reload applies).
    var requestLimits: HTTP1Limits {
        guard let maxBody = handler.maxRequestBodyBytes else { return configuration.limits }
        var limits = configuration.limits
        limits.maxBodyBytes = maxBody
        return limits
    }
}
