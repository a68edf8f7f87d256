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

    /// `HSET key field value`, then `PEXPIRE key ttl` (one node: the same key): a field of the
    /// semantic tier's per-scope hash, the hash kept for `ttl` after its last write.
    package func setField(_ key: [UInt8], field: [UInt8], value: [UInt8], ttl: ProxyDuration,
                          _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        client.send(RedisCommand([Array("HSET".utf8), key, field, value]), key: key) { _ in }
        let milliseconds = Int64(clamping: max(1, ttl.milliseconds))
        client.send(RedisCommand([Array("PEXPIRE".utf8), key, RedisCommand.argument(milliseconds)]), key: key) { result in
            switch result {
            case .success(.integer): completion(.success(()))
            case .success(.error(let message)): completion(.failure(.serverError(message)))
            case .success(let reply): completion(.failure(.unexpectedReply("PEXPIRE answered \(reply)")))
            case .failure(let failure): completion(.failure(failure))
            }
        }
    }

    /// `HGETALL key`: the fields and values (none when there is no such key).
    package func fields(_ key: [UInt8], _ completion: @escaping (Result<[(field: [UInt8], value: [UInt8])], RedisFailure>) -> Void) {
        client.send(RedisCommand([Array("HGETALL".utf8), key]), key: key) { result in
            switch result {
            case .success(.array(let flat)) where flat.count % 2 == 0:
                var pairs: [(field: [UInt8], value: [UInt8])] = []
                for index in stride(from: 0, to: flat.count, by: 2) {
                    guard case .bulkString(let field) = flat[index], case .bulkString(let value) = flat[index + 1] else {
                        return completion(.failure(.unexpectedReply("HGETALL answered a field that is not a string")))
                    }
                    pairs.append((field, value))
                }
                completion(.success(pairs))
            case .success(.map(let entries)):
                var pairs: [(field: [UInt8], value: [UInt8])] = []
                for entry in entries {
                    guard case .bulkString(let field) = entry.key, case .bulkString(let value) = entry.value else {
                        return completion(.failure(.unexpectedReply("HGETALL answered a field that is not a string")))
                    }
                    pairs.append((field, value))
                }
                completion(.success(pairs))
            case .success(.error(let message)): completion(.failure(.serverError(message)))
            case .success(let reply): completion(.failure(.unexpectedReply("HGETALL answered \(reply)")))
            case .failure(let failure): completion(.failure(failure))
            }
        }
    }

    /// `HDEL key field…`, not waited for.
    package func deleteFields(_ key: [UInt8], _ fields: [[UInt8]]) {
        guard !fields.isEmpty else { return }
        client.send(RedisCommand([Array("HDEL".utf8), key] + fields), key: key) { _ in }
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
