/// Why a `RESPDecoder` stopped. Caused by the bytes a server sent, so a value, not a trap;
/// the connection that read them can no longer trust its framing and must be closed.
package enum RESPDecodingError: Error, Hashable, Sendable {
    /// A type byte RESP does not define.
    case unknownType(UInt8)
    /// A line not ended by CRLF, a CR or LF inside a line, or a bulk not followed by CRLF.
    case badLineEnding
    /// A length, count or number that is not a valid decimal (or overflows 64 bits).
    case badNumber
    /// A value whose content does not match its type (a boolean other than `t`/`f`, a
    /// non-empty null, a verbatim string without its `xxx:` format).
    case badValue
    /// A size beyond `RESPDecoderLimits`: which limit, and its value.
    case limitExceeded(RESPLimit, Int)
}
