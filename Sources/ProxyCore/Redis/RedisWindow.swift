/// How a Redis counter forgets: the window a limit counts over. Windows follow the Redis
/// server's clock (`TIME` inside the script), so sidecars with skewed clocks still share
/// one window.
package enum RedisWindow: Hashable, Sendable {
    /// A sliding window of this length, approximated by two fixed windows: the previous
    /// window's count weighs in proportion to how much of it still overlaps the last
    /// `length` (Cloudflare's "sliding window counter"). No burst at a window's edge.
    case sliding(ProxyDuration)
    /// Fixed windows of this length, aligned to the Unix epoch on the server's clock (a day
    /// is a UTC day). Up to twice the limit can pass around a window's edge.
    case fixed(ProxyDuration)
    /// One window that starts at the first increment and ends this long after it: for
    /// periods the caller names in the key (a calendar month: `…:2025-06`).
    case lifetime(ProxyDuration)

    /// The length in milliseconds (at least 1).
    package var milliseconds: Int64 {
        let duration: ProxyDuration
        switch self {
        case .sliding(let length), .fixed(let length), .lifetime(let length): duration = length
        }
        return Int64(clamping: max(1, duration.milliseconds))
    }

    /// The script's mode argument.
    var mode: Int64 {
        switch self {
        case .sliding: 0
        case .fixed: 1
        case .lifetime: 2
        }
    }
}
