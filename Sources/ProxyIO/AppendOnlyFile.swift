import CLinuxShims
import Glibc
import ProxyCore
import Synchronization

/// A log file that lines are appended to without blocking an event loop. `append` copies the
/// line into a queue (a lock held for the copy only) and wakes the file's writer thread
/// through an eventfd; the thread writes what is queued with `write(2)` on a descriptor
/// opened `O_WRONLY | O_APPEND | O_CREAT` (mode 0640), so lines are never interleaved or
/// overwritten, even by another process appending to the same file.
///
/// Rotation: before each batch the thread compares the path's inode with the open
/// descriptor's and reopens the path when it was renamed or removed (logrotate's default
/// `create` mode; `copytruncate` needs nothing). A reload opens the file afresh (a new
/// `AppendOnlyFile`); the old one closes when the last request using it ends.
///
/// A slow disk never reaches the loops: past `maxQueuedBytes` waiting, lines are dropped and
/// counted, and the count is reported on stderr with the next batch. Thread-safe.
package final class AppendOnlyFile: Sendable {
    /// Why the file could not be opened.
    package struct OpenError: Error, Hashable, Sendable, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var description: String { "cannot open \(path) for appending: \(reason)" }
    }

    /// Bytes waiting for the writer beyond which lines are dropped.
    package static let maxQueuedBytes = 4 * 1024 * 1024

    package let path: String
    private let writer: Writer

    /// Opens `path` for appending (created when missing) and starts its writer thread.
    /// Called off the request path (at load and reload).
    package init(path: String) throws(OpenError) {
        self.path = path
        let fd = Self.open(path)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        let wake = eventfd(0, Int32(EFD_CLOEXEC))
        guard wake >= 0 else {
            Glibc.close(fd)
            throw OpenError(path: path, reason: "no eventfd: \(String(cString: strerror(errno)))")
        }
        writer = Writer(path: path, fd: fd, wake: wake)
        let created = ThreadStart.detached { [writer] in writer.run() }
        guard created == 0 else {
            writer.closeDescriptors()
            throw OpenError(path: path, reason: "cannot start its writer thread (\(created))")
        }
    }

    deinit {
        writer.stop()
    }

    /// Queues `line` (which ends with its newline) for the writer. Never blocks on the disk.
    package func append(_ line: [UInt8]) {
        writer.enqueue(line)
    }

    static func open(_ path: String) -> Int32 {
        Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
    }
}

/// The queue and the thread's side of an `AppendOnlyFile`. The thread keeps it alive until
/// `stop` was called and the queue is written.
private final class Writer: Sendable {
    struct Queue {
        var bytes: [UInt8] = []
        var dropped = 0
        var stopping = false
    }

    let path: String
    private let queue = Mutex(Queue())
    private let wake: Int32
    /// Owned by the writer thread once it runs.
    private let fd: Atomic<Int32>

    init(path: String, fd: Int32, wake: Int32) {
        self.path = path
        self.fd = Atomic(fd)
        self.wake = wake
    }

    func enqueue(_ line: [UInt8]) {
        let accepted = queue.withLock { queue in
            guard queue.bytes.count + line.count <= AppendOnlyFile.maxQueuedBytes else {
                queue.dropped += 1
                return false
            }
            queue.bytes += line
            return true
        }
        if accepted { signal() }
    }

    func stop() {
        queue.withLock { $0.stopping = true }
        signal()
    }

    private func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(wake, $0.baseAddress, 8) }
    }

    /// The writer thread: waits for a wake-up, writes the queue, until stopped.
    func run() {
        while true {
            var count: UInt64 = 0
            let got = withUnsafeMutableBytes(of: &count) { Glibc.read(wake, $0.baseAddress, 8) }
            if got < 0, errno == EINTR { continue }
            let batch = queue.withLock { queue in
                defer { queue.bytes = []; queue.dropped = 0 }
                return (queue.bytes, queue.dropped, queue.stopping)
            }
            if !batch.0.isEmpty { write(batch.0) }
            if batch.1 > 0 { report("audit_lines_dropped", "lines", String(batch.1)) }
            if batch.2 { break }
        }
        closeDescriptors()
    }

    /// An operational event on stderr about this file.
    private func report(_ event: String, _ key: String, _ value: String) {
        var line = Array(#"{"event":"#.utf8)
        JSONWriter.appendString(event, to: &line)
        line += Array(#","file":"#.utf8)
        JSONWriter.appendString(path, to: &line)
        line += Array(",\"\(key)\":".utf8)
        JSONWriter.appendString(value, to: &line)
        line += Array("}\n".utf8)
        StandardStreams.writeAll(2, line)
    }

    func closeDescriptors() {
        Glibc.close(fd.load(ordering: .relaxed))
        Glibc.close(wake)
    }

    private func write(_ bytes: [UInt8]) {
        reopenIfRotated()
        let descriptor = fd.load(ordering: .relaxed)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    report("audit_write_failed", "error", String(cString: strerror(errno)))
                    return
                }
                offset += written
            }
        }
    }

    /// Reopens the path when it no longer names the open file (renamed or removed by rotation).
    private func reopenIfRotated() {
        var onDisk = stat()
        var open = stat()
        let descriptor = fd.load(ordering: .relaxed)
        let missing = stat(path, &onDisk) != 0
        guard missing || fstat(descriptor, &open) != 0 || onDisk.st_ino != open.st_ino || onDisk.st_dev != open.st_dev else { return }
        let reopened = AppendOnlyFile.open(path)
        guard reopened >= 0 else { return }  // keep writing to the old file rather than lose lines
        Glibc.close(descriptor)
        fd.store(reopened, ordering: .relaxed)
    }
}
