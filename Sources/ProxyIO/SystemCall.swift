import CLinuxShims
import Glibc

/// A failed system call: which call, and the errno it left.
package struct SystemCallError: Error, CustomStringConvertible, Sendable {
    package var call: String
    package var errno: Int32

    package init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    package var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// The outcome of a non-blocking call that did not fail.
package enum IOResult<Value> {
    case done(Value)
    /// The call would block (`EAGAIN`/`EWOULDBLOCK`): wait for readiness and try again.
    case wouldBlock
}

/// Runs one system call the way every call in Sluice runs: retries `EINTR`,
/// maps `EAGAIN` to `.wouldBlock`, reads `errno` immediately, and names the call
/// in the error.
@inline(__always)
package func systemCall<R: BinaryInteger>(_ name: StaticString, _ body: () -> R) throws(SystemCallError) -> IOResult<R> {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let code = sluice_errno()
        switch code {
        case EINTR: continue
        case EAGAIN, EWOULDBLOCK: return .wouldBlock
        default: throw SystemCallError(call: "\(name)", errno: code)
        }
    }
}

/// `systemCall` for calls that cannot return `EAGAIN` (setup calls such as bind or epoll_ctl).
@inline(__always)
@discardableResult
package func blockingSystemCall<R: BinaryInteger>(_ name: StaticString, _ body: () -> R) throws(SystemCallError) -> R {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = sluice_errno()
        if code == EINTR { continue }
        throw SystemCallError(call: "\(name)", errno: code)
    }
}
