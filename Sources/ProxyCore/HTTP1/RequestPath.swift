/// The path of a request target, checked and normalised once when the head is parsed, so
/// that routing and forwarding act on the same path and a request can never leave the base
/// path of the backend it is sent to.
///
/// Dot segments are removed as RFC 3986 §5.2.4 does, and a segment is a dot segment when it
/// is `.` or `..` after decoding `%2E` (any case): servers behind the provider decode before
/// they normalise, so `/v1/%2e%2e/x` climbs as far as `/v1/../x`. A path that would climb above
/// the root is refused, as are the spellings other servers read as a separator and this one
/// would not: `%2F`, `%5C` and a raw `\`. Pure; callable from any thread.
package enum RequestPath {
    /// What normalisation made of a path.
    package enum Normalized: Hashable, Sendable {
        /// The path was already normal (nearly every request): use it as it is.
        case unchanged
        /// The path without its dot segments.
        case rewritten(String)
    }

    /// Why a path is refused (answered 400 `invalid_path`).
    package enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// More `..` segments than segments before them.
        case climbsAboveRoot
        /// `%2F` or `%5C` (an encoded `/` or `\`).
        case encodedSeparator
        /// A raw `\`, which some servers read as `/`.
        case backslash
        /// A `%` not followed by two hex digits (RFC 3986 §2.1).
        case malformedPercentEncoding

        package var description: String {
            switch self {
            case .climbsAboveRoot: "the path climbs above the root with \"..\" segments"
            case .encodedSeparator: "the path holds an encoded \"/\" or \"\\\" (%2F or %5C)"
            case .backslash: "the path holds a backslash"
            case .malformedPercentEncoding: "the path holds a \"%\" that is not followed by two hex digits"
            }
        }
    }

    /// Normalises `path`, which starts with `/` (the query already split off). One pass over
    /// the bytes when nothing needs rewriting; a second one, allocating, only when a dot segment
    /// is found.
    package static func normalize(_ path: UnsafeRawBufferPointer) -> Result<Normalized, Problem> {
        var hasDotSegment = false
        var segmentStart = 1
        var i = 0
        while i < path.count {
            let byte = path[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < path.count, let high = JSONLexer.hexValue(path[i + 1]), let low = JSONLexer.hexValue(path[i + 2]) else {
                    return .failure(.malformedPercentEncoding)
                }
                let decoded = high << 4 | low
                if decoded == UInt8(ascii: "/") || decoded == UInt8(ascii: "\\") { return .failure(.encodedSeparator) }
                i += 3
                continue
            }
            if byte == UInt8(ascii: "\\") { return .failure(.backslash) }
            if byte == UInt8(ascii: "/") {
                if i > 0, dotSegment(path, segmentStart..<i) != .none { hasDotSegment = true }
                segmentStart = i + 1
            }
            i += 1
        }
        if segmentStart <= path.count, dotSegment(path, segmentStart..<path.count) != .none { hasDotSegment = true }
        guard hasDotSegment else { return .success(.unchanged) }
        return removingDotSegments(path)
    }

    /// `normalize` for a path held as a string.
    package static func normalize(_ path: Substring) -> Result<Normalized, Problem> {
        if let result = path.utf8.withContiguousStorageIfAvailable({ normalize(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(path.utf8).withUnsafeBytes { normalize($0) }
    }

    /// What a segment is: `.`, `..` (in any of their percent-encoded spellings) or neither.
    enum DotSegment { case none, current, parent }

    static func dotSegment(_ path: UnsafeRawBufferPointer, _ range: Range<Int>) -> DotSegment {
        var dots = 0
        var i = range.lowerBound
        while i < range.upperBound {
            if path[i] == UInt8(ascii: ".") {
                i += 1
            } else if path[i] == UInt8(ascii: "%"), i + 3 <= range.upperBound,
                      path[i + 1] == UInt8(ascii: "2"), path[i + 2] | 0x20 == UInt8(ascii: "e") {
                i += 3
            } else {
                return .none
            }
            dots += 1
            if dots > 2 { return .none }
        }
        switch dots {
        case 1: return .current
        case 2: return .parent
        default: return .none
        }
    }

    /// RFC 3986 §5.2.4 on a path known to hold at least one dot segment, except that `..` at
    /// the root is refused rather than dropped: it can only be an attempt to escape.
    private static func removingDotSegments(_ path: UnsafeRawBufferPointer) -> Result<Normalized, Problem> {
        var kept: [Range<Int>] = []
        var endsWithSlash = false
        var start = 1
        while start <= path.count {
            var end = start
            while end < path.count, path[end] != UInt8(ascii: "/") { end += 1 }
            let isLast = end >= path.count
            switch dotSegment(path, start..<end) {
            case .current:
                endsWithSlash = isLast
            case .parent:
                guard !kept.isEmpty else { return .failure(.climbsAboveRoot) }
                kept.removeLast()
                endsWithSlash = isLast
            case .none:
                kept.append(start..<end)
                endsWithSlash = false
            }
            start = end + 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(path.count)
        for range in kept {
            out.append(UInt8(ascii: "/"))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: path[range]))
        }
        if endsWithSlash || out.isEmpty { out.append(UInt8(ascii: "/")) }
        return .success(.rewritten(String(decoding: out, as: UTF8.self)))
    }

}
