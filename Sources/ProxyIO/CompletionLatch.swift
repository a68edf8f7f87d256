import CLinuxShims
import Glibc

/// A one-shot signal from any thread to a thread that waits with a deadline
/// (the main thread waiting for a drain to finish). Backed by an eventfd.
package final class CompletionLatch: Sendable {
    private let fd: Int32

    package init() throws(SystemCallError) {
        fd = try blockingSystemCall("eventfd") { eventfd(0, Int32(EFD_CLOEXEC)) }
    }

    deinit { close(fd) }

    /// Releases the waiter. Safe from any thread, any number of times.
    package func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
    }

    /// Blocks until `signal()` or until `milliseconds` pass; true when signalled.
    package func wait(milliseconds: Int32) -> Bool {
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&pollFD, 1, milliseconds)
            if ready < 0 && sluice_errno() == EINTR { continue }
            return ready > 0
        }
    }
}
