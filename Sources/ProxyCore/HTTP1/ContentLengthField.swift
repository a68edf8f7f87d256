/// Content-Length = 1*DIGIT (RFC 9110 §8.6), read the same way from a request (the parser)
/// and from a provider's response (the upstream head reader). Pure.
package enum ContentLengthField {
    /// Why a Content-Length value frames nothing.
    package enum Problem: Error, Hashable, Sendable {
        case empty
        /// More than 18 digits: the limit keeps every value inside Int64, so no peer can overflow it.
        case tooLarge
        case notANumber
        /// It differs from a value seen before in the same message (RFC 9112 §6.3).
        case conflicting(Int, Int)
    }

    /// The length `buffer[value]` states, merged with the one from earlier Content-Length fields
    /// of the same message (`previous`). A list of identical values (`5, 5`) or repeated identical
    /// fields MAY be taken as one value (RFC 9110 §8.6); differing values MUST be rejected.
    package static func merge(_ buffer: UnsafeRawBufferPointer, _ value: Range<Int>, into previous: Int?) -> Result<Int, Problem> {
        var result: Result<Int, Problem> = .failure(.empty)
        var merged = previous
        HTTP1Bytes.forEachListElement(buffer, value) { element in
            guard !element.isEmpty else { result = .failure(.empty); return false }
            guard element.count <= 18 else { result = .failure(.tooLarge); return false }
            var length = 0
            for i in element {
                let digit = buffer[i] &- UInt8(ascii: "0")
                guard digit < 10 else { result = .failure(.notANumber); return false }
                length = length * 10 + Int(digit)
            }
            if let seen = merged, seen != length { result = .failure(.conflicting(seen, length)); return false }
            merged = length
            result = .success(length)
            return true
        }
        return result
    }
}
