import ProxyCore
import ProxyIO

/// One read of the cache's Redis tier, bounded by a timer: the request gets the value, its
/// absence or a failure by `timeout`, whatever Redis does (the lookup counts a failure as a
/// miss and the request goes on upstream).
///
/// Loop-confined; `completion` runs once, on the loop, never inside `start`.
final class RedisCacheRead {
    typealias Outcome = Result<[UInt8]?, RedisFailure>

    private var completion: ((Outcome) -> Void)?
    private var timer: (any SessionTimer)?

    private init(completion: @escaping (Outcome) -> Void) {
        self.completion = completion
    }

    static func start(store: any SharedCache, key: [UInt8], timeout: ProxyDuration, scheduler: any SessionScheduler,
                      _ completion: @escaping (Outcome) -> Void) {
        let read = RedisCacheRead(completion: completion)
        read.timer = scheduler.schedule(at: scheduler.now().advanced(by: timeout)) { [read] in read.complete(.failure(.timeout)) }
        store.get(key) { [read] result in read.complete(result) }
    }

    private func complete(_ outcome: Outcome) {
        guard let completion else { return }
        self.completion = nil
        timer?.cancel()
        timer = nil
        completion(outcome)
    }
}
