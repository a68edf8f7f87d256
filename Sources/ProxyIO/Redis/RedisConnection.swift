import Glibc
import ProxyCore

/// One connection to one Redis server, on one event loop: non-blocking connect, handshake
/// (`HELLO 3` with RESP2 fallback, `AUTH`, `SELECT`), pipelined commands whose replies are
/// matched first-in first-out, a timeout per command, and reconnection with backoff.
///
/// **Threading.** Loop-confined: create it, call every method and read every property on
/// `loop`'s thread; every callback runs there too, never inside the call that submitted the
/// command (a failure known at once is delivered on the loop's next turn). Nothing blocks:
/// a host name is resolved once, on a thread of its own (`HostResolver`).
///
/// **Lifecycle.** The first `send` (or `connect()`) connects. Commands sent before the
/// handshake ends wait for it (within their timeouts). When the connection fails — refused,
/// closed by the server, a malformed reply, a command past its timeout — every command in
/// flight fails (`.timeout` for those past their deadline, `.connectionLost` for the others),
/// and a new connection is attempted after a backoff delay; until it is up, commands fail at
/// once with `.unavailable`, so a dead server costs callers no waiting. A successful
/// handshake resets the backoff. `close()` ends it all for good.
///
/// The owner must call `close()` before dropping its last reference: the loop and pending
/// timers hold the connection while it is open.
package final class RedisConnection: IOEventHandler {
    /// Where the connection is in its life.
    package enum State: Hashable, Sendable {
        /// Not started: the first command connects.
        case idle
        /// Resolving the host name, or waiting for the TCP connect to finish.
        case connecting
        /// Connected; `HELLO`/`AUTH`/`SELECT` in progress.
        case handshaking
        /// Commands are sent as they come.
        case ready
        /// The last attempt failed; a new one is scheduled. Commands fail at once.
        case waitingToReconnect
        /// Closed by its owner; commands fail with `.closed`.
        case closed
    }

    package let loop: EventLoop
    package let configuration: RedisConnectionConfiguration
    package private(set) var state = State.idle
    /// The protocol agreed in the handshake.
    package internal(set) var protocolVersion = RESPProtocolVersion.resp2
    /// Handshakes completed so far (a reconnection adds one).
    package private(set) var establishedCount = 0
    /// Why the last attempt or connection failed, for `.unavailable` messages and logs.
    package private(set) var lastFailure: String?

    /// What receives a reply.
    enum ReplyTarget {
        case caller(RedisReplyHandler)
        /// A handshake step: the reply drives the next step; failures are the connection's.
        case handshake((RESPValue) -> Void)
        /// `ASKING`'s `+OK`: nothing to do.
        case ignored
    }

    struct InFlight {
        var target: ReplyTarget
        var deadline: ProxyInstant
    }

    struct Waiting {
        var command: RedisCommand
        var asking: Bool
        var callback: RedisReplyHandler
        var deadline: ProxyInstant
    }

    var fd: Int32 = -1
    var tls: TLSSession?
    private var resolved: SocketAddress?
    var decoder: RESPDecoder
    var outbound: [UInt8] = []
    var outboundOffset = 0
    var readBuffer: [UInt8] = []
    var interest = IOEvents()
    /// TLS needs the socket writable before it can go on reading.
    var readWaitsForWritable = false
    /// Commands submitted before the handshake ended, in order.
    private var waiting: [Waiting] = []
    var inFlight = RedisFIFO<InFlight>()
    private var deadlineTimer: LoopTimer?
    private var armedDeadline: ProxyInstant?
    private var connectTimer: LoopTimer?
    private var reconnectTimer: LoopTimer?
    private var reconnectAttempt = 0
    private var random: SplitMix64
    /// Bumped whenever a connection ends, so late callbacks of an old one (a host resolved
    /// after a timeout) are recognised and dropped.
    var generation: UInt64 = 0

    package init(loop: EventLoop, configuration: RedisConnectionConfiguration) {
        self.loop = loop
        self.configuration = configuration
        decoder = RESPDecoder(limits: configuration.decoderLimits)
        random = SplitMix64(seed: loop.clock.wallNanoseconds() ^ loop.clock.now().nanoseconds.byteSwapped)
    }

    /// Commands sent and not yet answered, plus those waiting for the handshake.
    package var pendingCount: Int { inFlight.count + waiting.count }

    // MARK: Commands

    /// Sends `command`; `callback` gets its reply (an error reply is a `.success(.error)`)
    /// or the failure, on the loop, once. `timeout` overrides the configured one.
    /// With `asking`, `ASKING` goes first, right before it (a Redis Cluster `ASK` redirection).
    package func send(_ command: RedisCommand, asking: Bool = false, timeout: ProxyDuration? = nil,
                      _ callback: @escaping RedisReplyHandler) {
        loop.assertInLoop()
        let deadline = loop.wakeTime.advanced(by: timeout ?? configuration.commandTimeout)
        switch state {
        case .closed:
            loop.deliverLater(callback, .failure(.closed))
        case .waitingToReconnect:
            loop.deliverLater(callback, .failure(.unavailable(lastFailure ?? "not connected")))
        case .idle, .connecting, .handshaking:
            guard pendingCount < configuration.maxPendingCommands else { return loop.deliverLater(callback, .failure(.overloaded)) }
            waiting.append(Waiting(command: command, asking: asking, callback: callback, deadline: deadline))
            armDeadline(deadline)
            if state == .idle { connect() }
        case .ready:
            guard pendingCount < configuration.maxPendingCommands else { return loop.deliverLater(callback, .failure(.overloaded)) }
            write(command, asking: asking, target: .caller(callback), deadline: deadline)
            armDeadline(deadline)
            flush(deferringFailure: true)
        }
    }

    /// Starts connecting now instead of at the first command. Does nothing unless idle.
    package func connect() {
        loop.assertInLoop()
        guard state == .idle else { return }
        state = .connecting
        let attempt = generation
        connectTimer = loop.schedule(after: configuration.connectTimeout) { [self] in
            connectTimer = nil
            if generation == attempt { fail("connect to \(configuration.address) timed out") }
        }
        if let resolved { return open(resolved) }
        let address = configuration.address
        HostResolver.resolve(host: address.host, port: address.port, on: loop) { [self] result in
            guard generation == attempt, state == .connecting else { return }
            switch result {
            case .success(let socketAddress):
                resolved = socketAddress  // once: reconnections dial the same address
                open(socketAddress)
            case .failure(let failure):
                fail(failure.description)
            }
        }
    }

    /// Closes the connection for good: commands pending fail with `.closed`, and no
    /// reconnection follows.
    package func close() {
        loop.assertInLoop()
        guard state != .closed else { return }
        state = .closed
        let (flights, queued) = tearDown()
        reconnectTimer?.cancel()
        reconnectTimer = nil
        for flight in flights { if case .caller(let callback) = flight.target { callback(.failure(.closed)) } }
        for command in queued { command.callback(.failure(.closed)) }
    }

    /// Writes a command into the outbound buffer and records who gets its reply.
    func write(_ command: RedisCommand, asking: Bool, target: ReplyTarget, deadline: ProxyInstant) {
        if asking {
            RESPEncoder.appendCommand([Array("ASKING".utf8)], to: &outbound)
            inFlight.append(InFlight(target: .ignored, deadline: deadline))
        }
        command.encode(into: &outbound)
        inFlight.append(InFlight(target: target, deadline: deadline))
    }

    /// Once the handshake is done: sends what waited for it.
    func becameReady() {
        connectTimer?.cancel()
        connectTimer = nil
        state = .ready
        establishedCount += 1
        reconnectAttempt = 0
        lastFailure = nil
        let queued = waiting
        waiting = []
        for command in queued {
            write(command.command, asking: command.asking, target: .caller(command.callback), deadline: command.deadline)
        }
        flush()
    }

    /// Hands a reply to whoever waits for it.
    func dispatch(_ reply: RESPValue) {
        // Out-of-band data (RESP3 push) answers no command.
        if case .push = reply { return }
        guard let flight = inFlight.popFirst() else { return fail("a reply arrived with no command in flight") }
        switch flight.target {
        case .caller(let callback): callback(.success(reply))
        case .handshake(let step): step(reply)
        case .ignored: break
        }
    }

    // MARK: Failure and reconnection

    /// Ends the current connection: commands in flight fail (`.timeout` when past their
    /// deadline), commands waiting for the handshake fail as `.unavailable`, and a
    /// reconnection is scheduled after the backoff delay.
    func fail(_ reason: String) {
        guard state != .closed, state != .waitingToReconnect, state != .idle else { return }
        lastFailure = reason
        state = .waitingToReconnect
        let now = loop.wakeTime
        let (flights, queued) = tearDown()
        scheduleReconnect()
        for flight in flights {
            guard case .caller(let callback) = flight.target else { continue }
            callback(.failure(flight.deadline <= now ? .timeout : .connectionLost(reason)))
        }
        for command in queued {
            command.callback(.failure(command.deadline <= now ? .timeout : .unavailable(reason)))
        }
    }

    /// Closes the socket, cancels the connection's timers and empties its queues (returned,
    /// for the caller to fail once its own state is consistent).
    private func tearDown() -> ([InFlight], [Waiting]) {
        generation &+= 1
        connectTimer?.cancel()
        connectTimer = nil
        deadlineTimer?.cancel()
        deadlineTimer = nil
        armedDeadline = nil
        closeSocket()
        decoder = RESPDecoder(limits: configuration.decoderLimits)
        outbound = []
        outboundOffset = 0
        readBuffer = []
        let flights = inFlight.removeAll()
        let queued = waiting
        waiting = []
        return (flights, queued)
    }

    private func scheduleReconnect() {
        let delay = configuration.reconnectBackoff.delay(retry: reconnectAttempt, random: random.next())
        reconnectAttempt += 1
        reconnectTimer = loop.schedule(after: delay) { [self] in
            reconnectTimer = nil
            guard state == .waitingToReconnect else { return }
            state = .idle
            connect()
        }
    }

    // MARK: Deadlines

    /// Makes sure a timer fires no later than `deadline`. One timer serves all commands: it
    /// is moved earlier when needed and, when it fires, re-armed for the earliest deadline left.
    private func armDeadline(_ deadline: ProxyInstant) {
        if let armedDeadline, armedDeadline <= deadline { return }
        deadlineTimer?.cancel()
        armedDeadline = deadline
        deadlineTimer = loop.schedule(at: deadline) { [self] in
            deadlineTimer = nil
            armedDeadline = nil
            checkDeadlines()
        }
    }

    private func checkDeadlines() {
        let now = loop.wakeTime
        // Commands that never left: fail them alone; the connection may still come up.
        var expired: [Waiting] = []
        waiting.removeAll { command in
            guard command.deadline <= now else { return false }
            expired.append(command)
            return true
        }
        for command in expired { command.callback(.failure(.timeout)) }
        // A reply overdue: the replies behind it can no longer be trusted to come in time,
        // and a late one would answer the wrong command. Start over.
        if inFlight.elements.contains(where: { flight in
            if case .caller = flight.target { return flight.deadline <= now }
            return false
        }) {
            fail("a command got no reply within its timeout")
            return
        }
        let callers = inFlight.elements.compactMap { flight -> ProxyInstant? in
            if case .caller = flight.target { return flight.deadline }
            return nil
        }
        let earliest = (callers + waiting.map(\.deadline)).min()
        if let earliest { armDeadline(earliest) }
    }

    // MARK: Socket set-up

    private func open(_ address: SocketAddress) {
        do {
            fd = try Socket.connect(to: address)
            interest = .writable
            try loop.register(fd: fd, interest: interest, handler: self)
        } catch {
            fail(error.description)
        }
    }

    /// The TCP connect finished (writable or an error): start TLS and the handshake.
    func finishConnect() {
        let code = Socket.pendingError(fd)
        guard code == 0 else {
            return fail("connect to \(configuration.address): \(SystemCallError(call: "connect", errno: code))")
        }
        if let tlsConfiguration = configuration.tls {
            guard let session = tlsConfiguration.context.makeSession(fd: fd, host: tlsConfiguration.serverName ?? configuration.address.host) else {
                return fail("cannot start TLS: \(TLSSession.lastOpenSSLError())")
            }
            tls = session
        }
        readBuffer = [UInt8](repeating: 0, count: 4096)  // replies are small; a large one takes several reads
        state = .handshaking
        updateInterest()
        startHandshake()
    }

    func closeSocket() {
        guard fd >= 0 else { return }
        loop.deregister(fd: fd)
        tls?.shutdown()
        tls = nil
        Socket.close(fd)
        fd = -1
        interest = IOEvents()
        readWaitsForWritable = false
    }
}
