import ProxyCore

extension EventLoop {
    /// Calls `callback` with `result` on this loop's next turn: a failure known at once is
    /// still never delivered inside the call that submitted the command, so callers need not
    /// guard against re-entrance. Call on the loop's thread.
    func deliverLater(_ callback: @escaping RedisReplyHandler, _ result: Result<RESPValue, RedisFailure>) {
        schedule(after: .zero) { callback(result) }
    }
}
