/// One value of the Redis serialization protocol, RESP2 or RESP3
/// (https://redis.io/docs/latest/develop/reference/protocol-spec/).
///
/// A reply is one `RESPValue`. RESP2's null bulk string (`$-1`) and null array (`*-1`) and
/// RESP3's null (`_`) are all `.null`. A server's error reply (`-ERR …`, or RESP3's blob
/// error `!`) is a value, `.error`, not a thrown error: inside a transaction's or a pipeline's
/// replies it is one element among others. RESP3 attributes (`|`) are skipped by the decoder.
///
/// Simple strings, errors, big numbers and the verbatim format are decoded as UTF-8 with
/// U+FFFD for ill-formed bytes (Redis sends ASCII there); bulk strings stay bytes.
/// An immutable value; safe to share.
package indirect enum RESPValue: Hashable, Sendable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    case bulkString([UInt8])
    case array([RESPValue])
    case null
    case map([RESPMapEntry])
    case set([RESPValue])
    case double(Double)
    case boolean(Bool)
    /// An integer beyond 64 bits, as its decimal digits (with a leading `-` when negative).
    case bigNumber(String)
    /// A verbatim string: a three-letter format (`txt`, `mkd`) and the text.
    case verbatim(format: String, text: [UInt8])
    /// Out-of-band data (pub/sub messages, client-side caching invalidations): never a reply
    /// to a command.
    case push([RESPValue])
}

extension RESPValue {
    /// The bulk string from its UTF-8 text (for commands and tests).
    package static func bulk(_ text: String) -> RESPValue { .bulkString(Array(text.utf8)) }

    /// The text of a simple string, bulk string or verbatim string (lossy UTF-8).
    package var text: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes), .verbatim(_, let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk string, simple string or verbatim string.
    package var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes), .verbatim(_, let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// An integer reply, or a bulk or simple string holding a decimal 64-bit integer.
    package var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString(let bytes): RESPNumber.parseInteger(bytes[...])
        case .simpleString(let text): RESPNumber.parseInteger(Array(text.utf8)[...])
        default: nil
        }
    }

    /// The elements of an array, set or push.
    package var elements: [RESPValue]? {
        switch self {
        case .array(let values), .set(let values), .push(let values): values
        default: nil
        }
    }

    /// The message of an error reply.
    package var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// The key/value pairs of a RESP3 map, or of a RESP2 array that lists keys and values
    /// alternately (how RESP2 servers send maps such as `HELLO`'s or `CLUSTER SHARDS`' replies).
    package var fields: [RESPMapEntry]? {
        switch self {
        case .map(let entries): return entries
        case .array(let values) where values.count % 2 == 0:
            return stride(from: 0, to: values.count, by: 2).map { RESPMapEntry(key: values[$0], value: values[$0 + 1]) }
        default: return nil
        }
    }

    /// The value of the field whose key's text is `name`, in a map or an alternating array.
    package func field(_ name: String) -> RESPValue? {
        fields?.first { $0.key.text == name }?.value
    }
}
