import CLinuxShims

/// Readiness reported by epoll for one file descriptor.
package struct IOEvents: OptionSet, Sendable {
    package let rawValue: UInt32
    package init(rawValue: UInt32) { self.rawValue = rawValue }

    package static let readable = IOEvents(rawValue: EPOLLIN.rawValue)
    package static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)
    /// The peer shut down its writing side (or closed).
    package static let readHangup = IOEvents(rawValue: EPOLLRDHUP.rawValue)
    package static let hangup = IOEvents(rawValue: EPOLLHUP.rawValue)
    package static let error = IOEvents(rawValue: EPOLLERR.rawValue)
}

/// Receives readiness events for a file descriptor registered with an `EventLoop`.
///
/// Called on the loop's thread. Must not block.
package protocol IOEventHandler: AnyObject {
    func handleIOEvents(_ events: IOEvents)
}
