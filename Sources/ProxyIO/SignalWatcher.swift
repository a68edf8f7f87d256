import CLinuxShims
import Glibc

/// Turns SIGTERM/SIGINT/SIGHUP into values the main thread waits for.
///
/// Call `blockSignals()` in `main` before any thread starts, so every thread inherits
/// the mask and only the watcher's signalfd receives them. SIGPIPE is ignored
/// process-wide: a write to a closed socket must be an error, not a crash.
package struct SignalWatcher: ~Copyable {
    private let fd: Int32
    package static let watched: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    package static func blockSignals() {
        sluice_ignore_sigpipe()
        _ = watched.withUnsafeBufferPointer { sluice_block_signals($0.baseAddress, Int32($0.count)) }
    }

    package init() throws(SystemCallError) {
        fd = try blockingSystemCall("signalfd") {
            Self.watched.withUnsafeBufferPointer { sluice_signalfd_for($0.baseAddress, Int32($0.count)) }
        }
    }

    deinit { close(fd) }

    /// Blocks the calling thread until a watched signal arrives; returns its number.
    package func wait() -> Int32 {
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&pollFD, 1, -1)
            if ready < 0 && sluice_errno() == EINTR { continue }
            let signal = sluice_signalfd_read_signo(fd)
            if signal > 0 { return signal }
        }
    }
}
