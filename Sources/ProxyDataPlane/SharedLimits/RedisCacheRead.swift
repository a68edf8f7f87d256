import ProxyCore
import ProxyIO

/// One read of the cache's Redis tier, bounded by a timer: the request gets the value, its
/// absence or a failure by `timeout`, whatever Redis does (the lookup counts a failure as a
/// miss and the request goes on upstream).
///
/// Loop-confined; `completion` runs once, on the loop, never inside `start`.
enum RedisCacheRead {
    typealias Outcome = Result<[UInt8]?, RedisFailure>

    static func start(store: any SharedCache, key: [UInt8], timeout: ProxyDuration, scheduler: any SessionScheduler,
                      _ completion: @escaping (Outcome) -> Void) {
        let read = DeadlineCompletion(timeout: timeout, scheduler: scheduler, timedOut: .failure(.timeout), completion)
        store.get(key) { [read] result in read.complete(result) }
    }
}
