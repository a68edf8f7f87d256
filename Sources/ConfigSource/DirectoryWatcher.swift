import CLinuxShims
import Glibc
import ProxyCore
import ProxyIO

/// Watches the config and secrets directories with inotify and calls `onChange` once
/// things settle (debounced).
///
/// Watches directories, never files: kubelet updates a mounted ConfigMap or Secret by
/// writing a `..<timestamp>` directory and renaming a `..data_tmp` symlink over `..data`,
/// so a watch on a file dies after the first update. Plain writes and
/// editors' rename-into-place are caught by the same events. Loop-confined.
package final class DirectoryWatcher: IOEventHandler {
    private let loop: EventLoop
    private let fd: Int32
    private let debounce: ProxyDuration
    private let onChange: () -> Void
    private var pending: LoopTimer?
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 8)

    /// Starts watching `directories` on `loop`. Call on the loop's thread.
    package init(loop: EventLoop, directories: [String], debounce: ProxyDuration = .milliseconds(20),
                 onChange: @escaping () -> Void) throws(SystemCallError) {
        self.loop = loop
        self.debounce = debounce
        self.onChange = onChange
        fd = try blockingSystemCall("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        for directory in directories {
            // A missing directory is not fatal: the secrets mount is optional for self-hosted backends.
            watch(directory)
        }
        try loop.register(fd: fd, interest: .readable, handler: self)
    }

    deinit {
        buffer.deallocate()
        Glibc.close(fd)
    }

    /// Watches one more directory (again: a no-op), e.g. a consumer's keys mounted as a volume
    /// of their own below the secrets directory, where kubelet swaps `..data` out of sight of
    /// the secrets directory's watch. A directory that is replaced later needs `watch` again.
    package func watch(_ directory: String) {
        _ = inotify_add_watch(fd, directory, Self.mask)
    }

    private static let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB | IN_MODIFY)

    package func handleIOEvents(_ events: IOEvents) {
        // The events themselves do not matter: any change means "re-read and compare the hash".
        while case .done(let count) = (try? Socket.read(fd, into: buffer)) ?? .wouldBlock, count > 0 {}
        pending?.cancel()
        pending = loop.schedule(after: debounce) { [weak self] in self?.onChange() }
    }
}
