import COpenSSL
import ProxyCore

/// The counter operations shared limits are built on, over a `RedisClient` (standalone or
/// cluster): a windowed increment that checks a limit atomically, a read, a sync step
/// (add a local delta, learn the global total) and a reset. Each is one run of
/// `RedisWindowScript` on the node owning the key (ADR 0009).
///
/// The script is sent with `EVALSHA`; a node that does not have it yet (`NOSCRIPT`: new,
/// restarted, or flushed) gets it once with `EVAL`, which also caches it there.
///
/// **Threading.** Loop-confined, like its client: call on the client's loop; completions run
/// there, never inside the call.
package final class RedisCounterStore {
    package let client: RedisClient

    /// The script's SHA-1 in hex, the name `EVALSHA` knows it by.
    package static let scriptSHA: String = sha1Hex(Array(RedisWindowScript.source.utf8))

    package init(client: RedisClient) {
        self.client = client
    }

    /// Adds `delta` to the counter's current window if the count is below `limit` (all of
    /// `delta`, or the part that fits), or unconditionally when `limit` is nil; reports
    /// what was granted, the count after, and the times to reset and to retry.
    ///
    /// With a limit, N callers sharing the key never push the count past it together
    /// (the check and the add are one atomic step on the server).
    package func increment(_ key: RedisCounterKey, by delta: Int64, limit: Int64?, window: RedisWindow,
                           _ completion: @escaping (Result<RedisWindowCount, RedisFailure>) -> Void) {
        run(key: key, window: window, delta: delta, limit: limit, completion)
    }

    /// The counter's current count (a sliding window's weighted estimate) and reset time,
    /// changing nothing.
    package func read(_ key: RedisCounterKey, window: RedisWindow,
                      _ completion: @escaping (Result<RedisWindowCount, RedisFailure>) -> Void) {
        run(key: key, window: window, delta: 0, limit: nil, completion)
    }

    /// Adds what this sidecar counted locally since its last sync (`delta`, which may be 0
    /// or negative) and returns the global total in `count`: the step of sync mode, where
    /// sidecars admit from local counters and reconcile every few milliseconds.
    package func sync(_ key: RedisCounterKey, adding delta: Int64, window: RedisWindow,
                      _ completion: @escaping (Result<RedisWindowCount, RedisFailure>) -> Void) {
        run(key: key, window: window, delta: delta, limit: nil, completion)
    }

    /// Deletes the counter (an admin reset).
    package func reset(_ key: RedisCounterKey, _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        client.send(RedisCommand([Array("DEL".utf8), key.bytes]), key: key.bytes) { result in
            switch result {
            case .success(.integer): completion(.success(()))
            case .success(.error(let message)): completion(.failure(.serverError(message)))
            case .success(let reply): completion(.failure(.unexpectedReply("DEL answered \(reply)")))
            case .failure(let failure): completion(.failure(failure))
            }
        }
    }

    private func run(key: RedisCounterKey, window: RedisWindow, delta: Int64, limit: Int64?,
                     _ completion: @escaping (Result<RedisWindowCount, RedisFailure>) -> Void) {
        let command = RedisWindowScript.evalSHA(Self.scriptSHA, key: key, window: window, delta: delta, limit: limit)
        client.send(command, key: key.bytes) { [client] result in
            if case .success(.error(let message)) = result, message.hasPrefix("NOSCRIPT") {
                let eval = RedisWindowScript.eval(key: key, window: window, delta: delta, limit: limit)
                return client.send(eval, key: key.bytes) { completion(Self.count(from: $0)) }
            }
            completion(Self.count(from: result))
        }
    }

    private static func count(from result: Result<RESPValue, RedisFailure>) -> Result<RedisWindowCount, RedisFailure> {
        switch result {
        case .success(.error(let message)): return .failure(.serverError(message))
        case .success(let reply):
            guard let count = RedisWindowScript.decode(reply) else { return .failure(.unexpectedReply("the counter script answered \(reply)")) }
            return .success(count)
        case .failure(let failure): return .failure(failure)
        }
    }

    private static func sha1Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 0
        let status = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha1(), nil)
            }
        }
        precondition(status == 1 && length == 20, "SHA-1 is always available in OpenSSL")
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0xF)]] }, as: UTF8.self)
    }
}
