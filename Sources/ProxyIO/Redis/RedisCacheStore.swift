import ProxyCore

/// The response cache's operations on Redis, over a `RedisClient` (standalone or cluster):
/// read an entry, write one with its TTL, drop one. Each is one command on the node owning the
/// key; values are opaque bytes (`CachedAnswerRecord`).
///
/// **Threading.** Loop-confined, like its client: call on the client's loop; completions run
/// there, never inside the call.
package final class RedisCacheStore {
    package let client: RedisClient

    package init(client: RedisClient) {
        self.client = client
    }

    /// `GET key`: the value, or nil when there is none (never stored, expired, evicted).
    package func get(_ key: [UInt8], _ completion: @escaping (Result<[UInt8]?, RedisFailure>) -> Void) {
        client.send(RedisCommand([Array("GET".utf8), key]), key: key) { result in
            switch result {
            case .success(.bulkString(let bytes)): completion(.success(bytes))
            case .success(.null): completion(.success(nil))
            case .success(.error(let message)): completion(.failure(.serverError(message)))
            case .success(let reply): completion(.failure(.unexpectedReply("GET answered \(reply)")))
            case .failure(let failure): completion(.failure(failure))
            }
        }
    }

    /// `SET key value PX ttl`: the entry, expiring after `ttl` (at least a millisecond).
    package func set(_ key: [UInt8], value: [UInt8], ttl: ProxyDuration, _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        let milliseconds = Int64(clamping: max(1, ttl.milliseconds))
        let command = RedisCommand([Array("SET".utf8), key, value, Array("PX".utf8), RedisCommand.argument(milliseconds)])
        client.send(command, key: key) { result in
            switch result {
            case .success(.simpleString), .success(.bulkString): completion(.success(()))
            case .success(.error(let message)): completion(.failure(.serverError(message)))
            case .success(let reply): completion(.failure(.unexpectedReply("SET answered \(reply)")))
            case .failure(let failure): completion(.failure(failure))
            }
        }
    }

    /// `DEL key`.
    package func delete(_ key: [UInt8], _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        client.send(RedisCommand([Array("DEL".utf8), key]), key: key) { result in
            switch result {
            case .success(.integer): completion(.success(()))
            case .success(.error(let message)): completion(.failure(.serverError(message)))
            case .success(let reply): completion(.failure(.unexpectedReply("DEL answered \(reply)")))
            case .failure(let failure): completion(.failure(failure))
            }
        }
    }
}
