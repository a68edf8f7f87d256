import ProxyCore
import ProxyIO

/// One running event loop for driving loop-confined Redis clients from a test: the test
/// posts work with `run` and waits (with a deadline) for the result the work reports.
final class RedisLoopHarness: Sendable {
    let group: EventLoopGroup

    init() throws {
        group = try EventLoopGroup(count: 1)
        group.start { _ in }
    }

    var loop: EventLoop { group.loops[0] }

    /// Runs `body` on the loop and waits until it calls `done`, at most `seconds`; nil when
    /// it did not in time.
    func run<T: Sendable>(seconds: Double = 10, _ body: @escaping @Sendable (_ done: @escaping @Sendable (T) -> Void) -> Void) -> T? {
        let result = Collected<T>()
        loop.execute { body { result.append($0) } }
        guard waitUntil(seconds: seconds, { !result.values.isEmpty }) else { return nil }
        return result.values.first
    }

    /// Runs `body` on the loop and waits for it to return.
    func sync<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        run { done in done(body()) }!
    }

    func shutDown() {
        group.stopAndJoin()
    }
}

extension RedisCommand {
    /// A command from words (test shorthand).
    init(words: [String]) { self.init(words.map { Array($0.utf8) }) }
}
