import CCurl
import Glibc
import ProxyCore
import ProxyIO

/// libcurl's multi interface driven by one event loop: its sockets are watched with the
/// loop's epoll and its timeout is a loop timer (docs/ARCHITECTURE.md, "Upstream
/// through libcurl"). One per loop, created on it and used only there; its connection cache
/// gives keep-alive and HTTP/2 multiplexing to every transfer of the loop.
///
/// libcurl's callbacks run inside `curl_multi_*` calls, where calling libcurl again
/// fails with CURLM_RECURSIVE_API_CALL: work that needs libcurl is deferred until the
/// outer call returns (`whenOutsideCurl`).
package final class CurlMulti {
    package let loop: EventLoop
    let handle: UnsafeMutableRawPointer
    private var watchers: [Int32: CurlSocketWatcher] = [:]
    /// The connection sockets libcurl opened (its sockopt callback) and has not closed yet (its
    /// close-socket callback): only these stay registered while their connection sits idle in
    /// libcurl's cache. Other sockets (the threaded resolver's socketpair) are closed without a
    /// word to us, so they are deregistered as soon as libcurl stops watching them.
    private var connectionSockets: Set<Int32> = []
    /// libcurl's timeout: one re-armable timer for the multi's life.
    private var timer: LoopTimer!
    /// When libcurl wants `socketAction(CURL_SOCKET_TIMEOUT)`; nil when it wants nothing.
    private var curlDeadline: ProxyInstant?
    /// libcurl asked for an immediate timeout action: it runs when the outermost libcurl call returns.
    private var timeoutQueued = false
    private var active: [UnsafeMutableRawPointer: UpstreamTransfer] = [:]
    private var idleHandles: [CurlEasy] = []
    private var deferred: [() -> Void] = []
    private(set) var insideCurl = false

    package init(loop: EventLoop) {
        CurlGlobal.initialize()
        guard let handle = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.loop = loop
        self.handle = handle
        timer = loop.makeTimer { [unowned self] in timerFired() }
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = sluice_curl_multi_setopt_socketfunction(handle, curlSocketCallback)
        _ = sluice_curl_multi_setopt_ptr(handle, CURLMOPT_SOCKETDATA, me)
        _ = sluice_curl_multi_setopt_timerfunction(handle, curlTimerCallback)
        _ = sluice_curl_multi_setopt_ptr(handle, CURLMOPT_TIMERDATA, me)
        // HTTP/2 multiplexing: a burst of requests shares one connection per host.
        _ = sluice_curl_multi_setopt_long(handle, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        // libcurl's default cache holds 4 connections per easy handle *currently added*; we
        // remove each handle when its transfer ends, so under load the cache shrank and closed
        // idle keep-alive connections, and every request paid a new TCP (and TLS) handshake.
        _ = sluice_curl_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, Self.maxIdleConnections)
    }

    /// Idle upstream connections kept per loop, across every provider host.
    static let maxIdleConnections = 256

    /// Transfers in flight on this loop.
    package var activeCount: Int { active.count }

    /// libcurl's sockets registered with the loop now, dormant ones included.
    package var registeredSocketCount: Int { watchers.count }
    /// Registrations made since the multi was created: one per connection while connections
    /// are reused, not one per transfer.
    package private(set) var socketRegistrations = 0

    // MARK: Transfers

    func takeEasy() -> CurlEasy? {
        // Reset (or not) by the transfer that takes it: `CurlEasy.adopt`.
        if let easy = idleHandles.popLast() { return easy }
        return CurlEasy()
    }

    func add(_ transfer: UpstreamTransfer) -> Bool {
        active[transfer.easy.handle] = transfer
        guard callCurl({ curl_multi_add_handle(handle, transfer.easy.handle) }) == CURLM_OK else {
            active[transfer.easy.handle] = nil
            return false
        }
        return true
    }

    /// Takes the transfer's handle out of the multi and back into the pool. Must run outside curl.
    func remove(_ transfer: UpstreamTransfer) {
        precondition(!insideCurl, "curl_multi_remove_handle inside a libcurl callback")
        guard active.removeValue(forKey: transfer.easy.handle) != nil else { return }
        _ = callCurl { curl_multi_remove_handle(handle, transfer.easy.handle) }
        if idleHandles.count < 64 { idleHandles.append(transfer.easy) }
    }

    /// Resumes a paused transfer. Inside the same bracket as every other libcurl call, so the
    /// "act now" timeout libcurl asks for while unpausing runs after `curl_easy_pause` returns,
    /// not inside it.
    func unpause(_ easy: CurlEasy) {
        _ = callCurl { curl_easy_pause(easy.handle, CURLPAUSE_CONT) }
    }

    /// Runs `work` now, or right after the libcurl call in progress returns.
    func whenOutsideCurl(_ work: @escaping () -> Void) {
        if insideCurl { deferred.append(work) } else { work() }
    }

    // MARK: Driving libcurl

    func socketAction(_ fd: Int32, _ flags: Int32) {
        var running: Int32 = 0
        _ = callCurl { curl_multi_socket_action(handle, fd, flags, &running) }
    }

    /// Calls into libcurl. While it runs, libcurl's callbacks only record work; when the
    /// outermost call returns, finished transfers are collected and deferred work runs.
    private func callCurl<R>(_ body: () -> R) -> R {
        let outermost = !insideCurl
        insideCurl = true
        let result = body()
        guard outermost else { return result }
        insideCurl = false
        collectFinished()
        while timeoutQueued || !deferred.isEmpty {
            if timeoutQueued {
                timeoutQueued = false
                socketAction(sluice_curl_socket_timeout(), 0)
            }
            // Taken out whole (work deferred while it runs waits for the next round, or for
            // the nested call that queued it); its storage comes back for reuse when free.
            var work: [() -> Void] = []
            swap(&work, &deferred)
            for item in work { item() }
            work.removeAll(keepingCapacity: true)
            if deferred.isEmpty { swap(&work, &deferred) }
        }
        return result
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(handle, &remaining) {
            var easy: UnsafeMutableRawPointer?
            var result = CURLE_OK
            guard sluice_curl_msg_done(message, &easy, &result) != 0, let easy,
                  let transfer = active[easy] else { continue }
            transfer.completed(result)
        }
    }

    // MARK: Callbacks from libcurl

    /// Gives the transfer's handle the socket callbacks that let an idle connection's socket stay
    /// registered between transfers (`watch`). Call on every fresh or reset handle.
    func trackSockets(of easy: CurlEasy) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = sluice_curl_easy_setopt_sockopt(easy.handle, curlSockoptCallback)
        easy.set(CURLOPT_SOCKOPTDATA, pointer: me)
        _ = sluice_curl_easy_setopt_closesocket(easy.handle, curlCloseSocketCallback)
        easy.set(CURLOPT_CLOSESOCKETDATA, pointer: me)
    }

    /// libcurl stops or starts watching `fd`. A connection socket that goes idle (its transfer
    /// ended, the connection stays in libcurl's cache) keeps its epoll registration, dormant:
    /// the next transfer on that connection usually wants the same events, which then costs no
    /// `epoll_ctl` and no new watcher; two system calls and an allocation per request saved.
    fileprivate func watch(_ fd: Int32, what: Int32) {
        if what == CURL_POLL_REMOVE {
            guard let watcher = watchers[fd] else { return }
            if connectionSockets.contains(fd) {
                watcher.dormant = true
            } else {
                watchers[fd] = nil
                loop.deregister(fd: fd, ifHandler: watcher)
            }
            return
        }
        var interest: IOEvents = []
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { interest.insert(.readable) }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { interest.insert(.writable) }
        if let watcher = watchers[fd] {
            watcher.dormant = false
            guard watcher.interest != interest else { return }
            try? loop.modify(fd: fd, interest: interest)
            watcher.interest = interest
        } else {
            let watcher = CurlSocketWatcher(fd: fd, multi: self, interest: interest)
            watchers[fd] = watcher
            socketRegistrations += 1
            try? loop.register(fd: fd, interest: interest, handler: watcher)
        }
    }

    /// A dormant socket became readable or hung up while its connection sat idle: the peer
    /// closed it or sent something unasked. Stop watching it (level-triggered epoll would report
    /// it on every turn); libcurl finds out when it next checks the connection, and closes it.
    fileprivate func dormantSocketStirred(_ watcher: CurlSocketWatcher) {
        guard watchers[watcher.fd] === watcher else { return }
        watchers[watcher.fd] = nil
        loop.deregister(fd: watcher.fd, ifHandler: watcher)
    }

    /// libcurl opened a connection socket. A watcher still kept for this number belongs to a
    /// socket closed behind our back; it must not stand for the new one.
    fileprivate func connectionSocketOpened(_ fd: Int32) {
        connectionSockets.insert(fd)
        if let stale = watchers.removeValue(forKey: fd) { loop.deregister(fd: fd, ifHandler: stale) }
    }

    /// libcurl closes a connection socket (through us, so the registration goes first).
    fileprivate func closeConnectionSocket(_ fd: Int32) -> Int32 {
        connectionSockets.remove(fd)
        if let watcher = watchers.removeValue(forKey: fd) { loop.deregister(fd: fd, ifHandler: watcher) }
        return close(fd)
    }

    fileprivate func setTimeout(milliseconds: Int) {
        guard milliseconds >= 0 else {
            curlDeadline = nil
            return
        }
        if milliseconds == 0 {
            // "Act now": right after the libcurl call in progress returns (`callCurl`), not a
            // loop turn later.
            curlDeadline = nil
            timeoutQueued = true
            return
        }
        let deadline = loop.clock.now().advanced(by: .milliseconds(UInt64(milliseconds)))
        curlDeadline = deadline
        // libcurl moves its timeout many times per transfer: the one timer stays armed when it
        // fires no later than needed (it re-arms itself for the rest), else it moves.
        if timer.isPending, timer.deadline <= deadline { return }
        loop.arm(timer, at: deadline)
    }

    private func timerFired() {
        guard let due = curlDeadline else { return }
        if loop.clock.now() >= due {
            curlDeadline = nil
            socketAction(sluice_curl_socket_timeout(), 0)
        } else {
            loop.arm(timer, at: due)
        }
    }
}

/// Watches one of libcurl's sockets for the loop.
final class CurlSocketWatcher: IOEventHandler {
    let fd: Int32
    unowned(unsafe) let multi: CurlMulti  // the multi owns its watchers
    var interest: IOEvents
    /// libcurl is not watching the socket (its connection is idle in the cache); it stays
    /// registered so the next transfer on it costs no `epoll_ctl`.
    var dormant = false

    init(fd: Int32, multi: CurlMulti, interest: IOEvents) {
        self.fd = fd
        self.multi = multi
        self.interest = interest
    }

    func handleIOEvents(_ events: IOEvents) {
        if dormant { return multi.dormantSocketStirred(self) }
        var flags: Int32 = 0
        if events.contains(.readable) || events.contains(.hangup) { flags |= CURL_CSELECT_IN }
        if events.contains(.writable) { flags |= CURL_CSELECT_OUT }
        if events.contains(.error) { flags |= CURL_CSELECT_ERR }
        multi.socketAction(fd, flags)
    }
}

private let curlSocketCallback: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32 = {
    _, fd, what, userdata, _ in
    guard let userdata else { return 0 }
    Unmanaged<CurlMulti>.fromOpaque(userdata).takeUnretainedValue().watch(fd, what: what)
    return 0
}

private let curlTimerCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, milliseconds, userdata in
    guard let userdata else { return 0 }
    Unmanaged<CurlMulti>.fromOpaque(userdata).takeUnretainedValue().setTimeout(milliseconds: milliseconds)
    return 0
}

private let curlSockoptCallback: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t, curlsocktype) -> Int32 = {
    userdata, fd, purpose in
    if let userdata, purpose == CURLSOCKTYPE_IPCXN {
        Unmanaged<CurlMulti>.fromOpaque(userdata).takeUnretainedValue().connectionSocketOpened(fd)
    }
    return 0  // CURL_SOCKOPT_OK
}

private let curlCloseSocketCallback: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t) -> Int32 = {
    userdata, fd in
    guard let userdata else { return close(fd) }
    return Unmanaged<CurlMulti>.fromOpaque(userdata).takeUnretainedValue().closeConnectionSocket(fd)
}

/// `curl_global_init`, once per process, before any thread uses libcurl.
enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    static func initialize() { _ = done }
}
