@testable import ProxyDataPlane
import ProxyCore
import ProxyIO

/// A `SharedCache` the test answers: reads wait in `reads` until the test completes them, as
/// Redis would answer (or fail) a `GET`; writes and deletes are kept in `values` at once (and
/// listed, with their TTL, in `writes` and `deletes`).
final class ScriptedCache: SharedCache {
    struct Read {
        let key: String
        let completion: (Result<[UInt8]?, RedisFailure>) -> Void
    }

    private(set) var reads: [Read] = []
    private(set) var writes: [(key: String, ttl: ProxyDuration)] = []
    private(set) var deletes: [String] = []
    var values: [String: [UInt8]] = [:]
    /// When set, writes fail with it (and store nothing).
    var writeFailure: RedisFailure?
    private(set) var closed = false

    func get(_ key: [UInt8], _ completion: @escaping (Result<[UInt8]?, RedisFailure>) -> Void) {
        reads.append(Read(key: String(decoding: key, as: UTF8.self), completion: completion))
    }

    func set(_ key: [UInt8], value: [UInt8], ttl: ProxyDuration, _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        let name = String(decoding: key, as: UTF8.self)
        writes.append((name, ttl))
        if let writeFailure { return completion(.failure(writeFailure)) }
        values[name] = value
        completion(.success(()))
    }

    func delete(_ key: [UInt8], _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        let name = String(decoding: key, as: UTF8.self)
        deletes.append(name)
        values[name] = nil
        completion(.success(()))
    }

    /// The hashes (the semantic tier's vectors), by key and field.
    var hashes: [String: [String: [UInt8]]] = [:]
    private(set) var hashTTLs: [String: ProxyDuration] = [:]

    func setField(_ key: [UInt8], field: [UInt8], value: [UInt8], ttl: ProxyDuration,
                  _ completion: @escaping (Result<Void, RedisFailure>) -> Void) {
        let name = String(decoding: key, as: UTF8.self)
        hashes[name, default: [:]][String(decoding: field, as: UTF8.self)] = value
        hashTTLs[name] = ttl
        completion(.success(()))
    }

    /// `fields` reads wait here until `answerFieldReads` (as Redis would answer later).
    private(set) var fieldReads: [(key: String, completion: (Result<[(field: [UInt8], value: [UInt8])], RedisFailure>) -> Void)] = []

    func fields(_ key: [UInt8], _ completion: @escaping (Result<[(field: [UInt8], value: [UInt8])], RedisFailure>) -> Void) {
        fieldReads.append((String(decoding: key, as: UTF8.self), completion))
    }

    /// Answers the oldest `fields` read from `hashes`.
    func answerFieldRead() {
        let read = fieldReads.removeFirst()
        read.completion(.success((hashes[read.key] ?? [:]).sorted { $0.key < $1.key }.map { (Array($0.key.utf8), $0.value) }))
    }

    func deleteFields(_ key: [UInt8], _ fields: [[UInt8]]) {
        for field in fields { hashes[String(decoding: key, as: UTF8.self)]?[String(decoding: field, as: UTF8.self)] = nil }
    }

    func close() { closed = true }

    /// Answers the oldest read from `values`.
    func answerFromValues() {
        let read = reads.removeFirst()
        read.completion(.success(values[read.key]))
    }

    /// Answers the oldest read with `result`.
    func answer(_ result: Result<[UInt8]?, RedisFailure>) {
        reads.removeFirst().completion(result)
    }
}
