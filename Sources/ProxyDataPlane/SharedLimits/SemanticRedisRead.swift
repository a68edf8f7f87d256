import ProxyCore
import ProxyIO

/// The semantic tier's read of the Redis tier, after the sidecar's own index found nothing: the
/// vectors of the request's scope (`HGETALL` of one hash), the most similar at or above the
/// threshold, then the record of its answer (`GET`), all within one `timeout`. Past `maxEntries`
/// vectors the oldest are dropped (`HDEL`), so a scope's hash stays bounded. The request gets
/// the record, nil (nothing similar enough, or its answer expired) or a failure.
///
/// Loop-confined; `completion` runs once, on the loop, never inside `start`.
enum SemanticRedisRead {
    typealias Outcome = Result<[UInt8]?, RedisFailure>

    static func start(store: any SharedCache, scopeKey: [UInt8], vector: SemanticVector, config: SemanticCacheConfig, timeout: ProxyDuration,
                      scheduler: any SessionScheduler, _ completion: @escaping (Outcome) -> Void) {
        let read = DeadlineCompletion(timeout: timeout, scheduler: scheduler, timedOut: .failure(.timeout), completion)
        store.fields(scopeKey) { [read] result in
            guard read.isPending else { return }
            switch result {
            case .failure(let failure):
                read.complete(.failure(failure))
            case .success(let fields):
                var records = fields.compactMap { field in SemanticVectorRecord.decode(field.value).map { (field.field, $0) } }
                if records.count > config.maxEntries {
                    records.sort { $0.1.storedAtMilliseconds > $1.1.storedAtMilliseconds }
                    store.deleteFields(scopeKey, records[config.maxEntries...].map(\.0))
                    records.removeLast(records.count - config.maxEntries)
                }
                var best: (entry: [UInt8], similarity: Float)?
                for (entry, record) in records {
                    let similarity = record.vector.similarity(to: vector)
                    if similarity > best?.similarity ?? -2 { best = (entry, similarity) }
                }
                guard let best, config.admits(best.similarity) else { return read.complete(.success(nil)) }
                store.get(best.entry) { [read] result in read.complete(result) }
            }
        }
    }
}
