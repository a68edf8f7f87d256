/// An incremental decoder of RESP2 and RESP3 replies.
///
/// Feed bytes as they arrive, in any split (inside a header, between CR and LF, inside a
/// bulk string), then call `next()` until it returns nil: each call returns one complete
/// top-level value. The values are the same however the bytes were split, and the work is
/// linear in the bytes: a bulk string's body is copied once, when all of it has arrived.
///
/// The bytes are untrusted. Every length goes through checked arithmetic and is capped by
/// `RESPDecoderLimits` before anything is allocated for it (a declared count reserves at most
/// a small capacity), nesting is capped, and one reply may not span more than
/// `maxReplyBytes`. A malformed or oversized reply makes `next()` throw; the decoder then
/// stays failed, because the stream's framing can no longer be trusted.
///
/// RESP3 attributes (`|`) are parsed and dropped; push values (`>`) are returned like any
/// other value, and telling them from replies is the caller's business.
///
/// A value type owned by one connection on its event loop; not shared between threads.
package struct RESPDecoder: Sendable {
    package let limits: RESPDecoderLimits

    private var buffer: [UInt8] = []
    /// The first byte not yet decoded.
    private var offset = 0
    /// The aggregates opened and not yet complete, innermost last.
    private var stack: [Frame] = []
    /// A bulk-like value whose header was read and whose body has not fully arrived.
    private var pendingBlob: PendingBlob?
    /// Bytes of the current top-level reply consumed so far.
    private var replyBytes = 0
    private var failure: RESPDecodingError?

    private enum AggregateKind { case array, set, push, map, attribute }
    private enum BlobKind { case bulk, error, verbatim }

    private struct Frame {
        var kind: AggregateKind
        /// Elements still expected (a map's and an attribute's keys and values both count).
        var remaining: Int
        var values: [RESPValue]
    }

    private struct PendingBlob {
        var kind: BlobKind
        var length: Int
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    package init(limits: RESPDecoderLimits = RESPDecoderLimits()) {
        self.limits = limits
    }

    /// Bytes fed and not yet part of a returned value.
    package var bufferedByteCount: Int { buffer.count - offset }

    /// True while a reply has started and not ended: a connection that closes now was cut
    /// inside a reply.
    package var isInsideReply: Bool { !stack.isEmpty || pendingBlob != nil || offset < buffer.count }

    /// Appends the next bytes received.
    package mutating func feed(_ bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        // Drop what was decoded once it is most of the buffer, so a long pipeline of replies
        // does not keep every byte it ever received.
        if offset == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 16 << 10)
            offset = 0
        } else if offset >= 4096 && offset * 2 >= buffer.count {
            buffer.removeSubrange(0..<offset)
            offset = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete top-level value, or nil when more bytes are needed.
    ///
    /// Throws when the bytes are not RESP or exceed a limit; every later call throws the same.
    package mutating func next() throws(RESPDecodingError) -> RESPValue? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeNext() throws(RESPDecodingError) -> RESPValue? {
        while true {
            guard let value = try decodeOne() else { return nil }
            guard let complete = try attach(value) else { continue }
            replyBytes = 0
            return complete
        }
    }

    /// Decodes one scalar, or opens an aggregate (returning nil after it when the aggregate
    /// is not empty); nil also when more bytes are needed.
    private mutating func decodeOne() throws(RESPDecodingError) -> RESPValue? {
        while true {
            if let blob = pendingBlob {
                guard buffer.count - offset >= blob.length + 2 else { return nil }
                let end = offset + blob.length
                guard buffer[end] == Self.cr, buffer[end + 1] == Self.lf else { throw .badLineEnding }
                let value = try Self.blobValue(blob.kind, buffer[offset..<end])
                try consume(blob.length + 2)
                pendingBlob = nil
                return value
            }
            guard let lineEnd = try findLineEnd() else { return nil }
            let type = buffer[offset]
            let content = buffer[(offset + 1)..<lineEnd]
            try consume(lineEnd + 2 - offset)
            switch type {
            case UInt8(ascii: "+"): return .simpleString(String(decoding: content, as: UTF8.self))
            case UInt8(ascii: "-"): return .error(String(decoding: content, as: UTF8.self))
            case UInt8(ascii: ":"):
                guard let value = RESPNumber.parseInteger(content) else { throw .badNumber }
                return .integer(value)
            case UInt8(ascii: "_"):
                guard content.isEmpty else { throw .badValue }
                return .null
            case UInt8(ascii: "#"):
                if content.elementsEqual([UInt8(ascii: "t")]) { return .boolean(true) }
                if content.elementsEqual([UInt8(ascii: "f")]) { return .boolean(false) }
                throw .badValue
            case UInt8(ascii: ","):
                guard let value = RESPNumber.parseDouble(content) else { throw .badNumber }
                return .double(value)
            case UInt8(ascii: "("):
                guard RESPNumber.isBigNumber(content) else { throw .badNumber }
                return .bigNumber(String(decoding: content, as: UTF8.self))
            case UInt8(ascii: "$"):
                if let null = try startBlob(.bulk, content, nullAllowed: true) { return null }
            case UInt8(ascii: "!"):
                _ = try startBlob(.error, content, nullAllowed: false)
            case UInt8(ascii: "="):
                _ = try startBlob(.verbatim, content, nullAllowed: false)
            case UInt8(ascii: "*"):
                if let value = try startAggregate(.array, content, nullAllowed: true) { return value }
            case UInt8(ascii: "~"):
                if let value = try startAggregate(.set, content, nullAllowed: false) { return value }
            case UInt8(ascii: ">"):
                if let value = try startAggregate(.push, content, nullAllowed: false) { return value }
            case UInt8(ascii: "%"):
                if let value = try startAggregate(.map, content, nullAllowed: false) { return value }
            case UInt8(ascii: "|"):
                // An empty attribute introduces nothing; otherwise its entries follow.
                _ = try startAggregate(.attribute, content, nullAllowed: false)
            default:
                throw .unknownType(type)
            }
        }
    }

    /// Adds a finished value to the open aggregates; returns the top-level value it completes,
    /// or nil when an aggregate still waits for elements (or an attribute just ended).
    private mutating func attach(_ value: RESPValue) throws(RESPDecodingError) -> RESPValue? {
        var current = value
        while let last = stack.indices.last {
            stack[last].values.append(current)
            stack[last].remaining -= 1
            guard stack[last].remaining == 0 else { return nil }
            let frame = stack.removeLast()
            switch frame.kind {
            case .array: current = .array(frame.values)
            case .set: current = .set(frame.values)
            case .push: current = .push(frame.values)
            case .map: current = .map(Self.pairs(frame.values))
            case .attribute: return nil  // metadata about the next value, which follows
            }
        }
        return current
    }

    private static func pairs(_ values: [RESPValue]) -> [RESPMapEntry] {
        stride(from: 0, to: values.count, by: 2).map { RESPMapEntry(key: values[$0], value: values[$0 + 1]) }
    }

    /// Reads a blob header; returns `.null` for RESP2's `$-1`, else records the pending body.
    private mutating func startBlob(_ kind: BlobKind, _ content: ArraySlice<UInt8>, nullAllowed: Bool) throws(RESPDecodingError) -> RESPValue? {
        guard let length = RESPNumber.parseInteger(content) else { throw .badNumber }
        if length == -1 && nullAllowed { return .null }
        guard length >= 0 else { throw .badNumber }
        guard length <= Int64(limits.maxBulkBytes) else { throw .limitExceeded(.bulkBytes, limits.maxBulkBytes) }
        let size = Int(length)
        // The body and its CRLF must fit in what is left of the reply's allowance.
        guard size <= limits.maxReplyBytes - replyBytes - 2 else { throw .limitExceeded(.replyBytes, limits.maxReplyBytes) }
        pendingBlob = PendingBlob(kind: kind, length: size)
        return nil
    }

    /// Reads an aggregate header; returns the value at once when it is null or empty.
    private mutating func startAggregate(_ kind: AggregateKind, _ content: ArraySlice<UInt8>, nullAllowed: Bool) throws(RESPDecodingError) -> RESPValue? {
        guard let count = RESPNumber.parseInteger(content) else { throw .badNumber }
        if count == -1 && nullAllowed { return .null }
        guard count >= 0 else { throw .badNumber }
        guard count <= Int64(limits.maxAggregateCount) else { throw .limitExceeded(.aggregateCount, limits.maxAggregateCount) }
        let entries = Int(count)
        if entries == 0 {
            switch kind {
            case .array: return .array([])
            case .set: return .set([])
            case .push: return .push([])
            case .map: return .map([])
            case .attribute: return nil
            }
        }
        guard stack.count < limits.maxDepth else { throw .limitExceeded(.depth, limits.maxDepth) }
        let (elements, overflow) = kind == .map || kind == .attribute ? entries.multipliedReportingOverflow(by: 2) : (entries, false)
        guard !overflow else { throw .limitExceeded(.aggregateCount, limits.maxAggregateCount) }
        var values: [RESPValue] = []
        // Never trust a declared count for an allocation: the elements may never come.
        values.reserveCapacity(min(elements, 64))
        stack.append(Frame(kind: kind, remaining: elements, values: values))
        return nil
    }

    private static func blobValue(_ kind: BlobKind, _ body: ArraySlice<UInt8>) throws(RESPDecodingError) -> RESPValue {
        switch kind {
        case .bulk:
            return .bulkString(Array(body))
        case .error:
            return .error(String(decoding: body, as: UTF8.self))
        case .verbatim:
            // `fmt:text`: three printable ASCII bytes of format, a colon, the text.
            guard body.count >= 4, body[body.startIndex + 3] == UInt8(ascii: ":"),
                  body.prefix(3).allSatisfy({ (0x21...0x7E).contains($0) }) else { throw .badValue }
            let format = String(decoding: body.prefix(3), as: UTF8.self)
            return .verbatim(format: format, text: Array(body.dropFirst(4)))
        }
    }

    /// The index of the CR ending the line at `offset`, or nil when the line has not fully arrived.
    private func findLineEnd() throws(RESPDecodingError) -> Int? {
        // A type byte, up to maxLineBytes of content, CR, LF.
        let searchEnd = min(buffer.count, offset + limits.maxLineBytes + 3)
        guard let lf = buffer[offset..<searchEnd].firstIndex(of: Self.lf) else {
            // Only the line limit is checked before the line ends (it bounds what waits), so
            // the error a stream gets does not depend on how it was split.
            if searchEnd - offset >= limits.maxLineBytes + 3 { throw .limitExceeded(.lineBytes, limits.maxLineBytes) }
            return nil
        }
        guard lf >= offset + 2, buffer[lf - 1] == Self.cr else { throw .badLineEnding }
        guard !buffer[(offset + 1)..<(lf - 1)].contains(Self.cr) else { throw .badLineEnding }
        return lf - 1
    }

    private mutating func consume(_ count: Int) throws(RESPDecodingError) {
        offset += count
        replyBytes += count
        guard replyBytes <= limits.maxReplyBytes else { throw .limitExceeded(.replyBytes, limits.maxReplyBytes) }
    }
}
