import Glibc
import ProxyIO
import Synchronization

/// Where the bearer token comes from: a fixed string, or a file re-read when it changes.
///
/// Bound service-account tokens are rotated by the kubelet (about hourly, and the file is
/// swapped through a `..data` symlink), so a file token is `stat`ed on every use and re-read
/// when its inode, size or modification time differ, or when the API answered 401
/// (`invalidate()`). Safe from any thread: the cache sits behind a `Mutex`.
package final class BearerTokenSource: Sendable {
    private enum Origin { case fixed(String), file(String) }

    private struct Cached {
        var token: String?
        var identity: FileIdentity?
    }

    private struct FileIdentity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }

    private let origin: Origin
    private let cache = Mutex(Cached())

    /// A token that never changes.
    package init(token: String) { origin = .fixed(token) }

    /// A token read from `path` (surrounding whitespace trimmed), re-read when the file changes.
    package init(file path: String) { origin = .file(path) }

    /// The file path, for a file-backed source.
    package var path: String? {
        if case .file(let path) = origin { return path }
        return nil
    }

    /// The current token, or nil when the file cannot be read or is empty.
    package func token() -> String? {
        switch origin {
        case .fixed(let token):
            return token
        case .file(let path):
            let identity = Self.identity(of: path)
            if let cached = cache.withLock({ $0.identity != nil && $0.identity == identity ? $0.token : nil }) {
                return cached
            }
            let token = FileBytes.read(path, maxBytes: 1 << 20).map { Self.trimmed(String(decoding: $0, as: UTF8.self)) }
            let usable = token?.isEmpty == false ? token : nil
            cache.withLock { $0 = Cached(token: usable, identity: usable == nil ? nil : identity) }
            return usable
        }
    }

    /// Forgets the cached token so the next use reads the file again (after a 401).
    package func invalidate() {
        cache.withLock { $0 = Cached() }
    }

    private static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                            seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
