import CLinuxShims
import Glibc

/// Thin, non-blocking socket operations on raw file descriptors, each through `systemCall`.
package enum Socket {
    /// Creates a listening TCP socket bound to `address` with SO_REUSEADDR and SO_REUSEPORT,
    /// so each event loop can own a listener on the same port (the kernel spreads connections).
    package static func listen(on address: SocketAddress, backlog: Int32 = 1024) throws(SystemCallError) -> Int32 {
        let domain = address.family == .v6 ? AF_INET6 : AF_INET
        let fd = try blockingSystemCall("socket") {
            socket(domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
            let bound = address.withSockaddr { pointer, length in bind(fd, pointer, length) } ?? -1
            if bound < 0 { throw SystemCallError(call: "bind(\(address))", errno: sluice_errno()) }
            try blockingSystemCall("listen") { Glibc.listen(fd, backlog) }
            return fd
        } catch let error as SystemCallError {
            Glibc.close(fd)
            throw error
        } catch {
            fatalError("unreachable: only SystemCallError is thrown above")
        }
    }

    /// Accepts one connection, non-blocking and close-on-exec, with TCP_NODELAY set.
    package static func accept(_ listener: Int32) throws(SystemCallError) -> IOResult<Int32> {
        let result = try systemCall("accept4") {
            sluice_accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        }
        if case .done(let fd) = result {
            // Responses are written whole or streamed deliberately: Nagle only adds latency.
            try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        }
        return result
    }

    /// Connects a non-blocking TCP socket; completion is signalled by writability.
    package static func connect(to address: SocketAddress) throws(SystemCallError) -> Int32 {
        let domain = address.family == .v6 ? AF_INET6 : AF_INET
        let fd = try blockingSystemCall("socket") {
            socket(domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        let result = address.withSockaddr { pointer, length in Glibc.connect(fd, pointer, length) } ?? -1
        if result < 0 {
            let code = sluice_errno()
            if code != EINPROGRESS {
                Glibc.close(fd)
                throw SystemCallError(call: "connect(\(address))", errno: code)
            }
        }
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        return fd
    }

    package static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SystemCallError) {
        var value = value
        try blockingSystemCall("setsockopt") { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Reads into `buffer`; `.done(0)` means the peer closed.
    @inline(__always)
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> IOResult<Int> {
        try systemCall("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes from `buffer`; may write less than all of it. A peer that closed gives `EPIPE`
    /// (`MSG_NOSIGNAL`), never SIGPIPE, whatever the process's signal settings.
    @inline(__always)
    package static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemCallError) -> IOResult<Int> {
        try systemCall("send") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The pending error of a socket (`SO_ERROR`): how a non-blocking connect ended, 0 when
    /// it succeeded.
    package static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return sluice_errno() }
        return code
    }

    /// Makes the next close send RST instead of FIN.
    package static func setLingerZero(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    package static func close(_ fd: Int32) {
        // close is not retried on EINTR: on Linux the fd is released either way.
        _ = Glibc.close(fd)
    }

    /// Shuts down the writing side, so the peer sees end of stream while we still read.
    package static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }
}
