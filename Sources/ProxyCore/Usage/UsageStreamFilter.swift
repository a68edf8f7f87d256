/// Reads token usage from an upstream SSE stream as it flows to the client, and strips the
/// usage the client did not ask for (the proxy forced `stream_options.include_usage`).
///
/// Feed it the upstream bytes exactly as they arrive: boundaries may fall anywhere, inside
/// a line, between a CR and its LF, inside a UTF-8 sequence. The output bytes (concatenated)
/// and the usage are the same however the stream is split.
///
/// **Framing.** The filter cuts the stream into *segments*, each passed on or changed as a
/// whole: an event (its lines up to and including the blank line that ends it, CRLF, LF or
/// CR), or a comment line that comes between events (a keep-alive such as `: keep-alive`,
/// passed on as soon as its line ends). A comment inside an event travels with the event.
///
/// **Usage.** From every `data:` payload that is a JSON object: the top-level `usage`
/// object (OpenAI's final usage chunk, per-chunk usage from vLLM-style providers, DeepSeek's
/// usage on the finish chunk, Anthropic's `message_delta`) and `message.usage` (Anthropic's
/// `message_start`). Providers send running totals, so for each number the last one wins.
/// The names are mapped as `UsageExtractor` describes.
///
/// **Stripping** (only when created with `stripsUsage`), exactly what a provider adds when
/// `include_usage` is on:
/// - an event whose payload has `"choices":[]` and a `usage` object (the usage-only chunk)
///   is dropped, its whole segment;
/// - a top-level `"usage":null` member is cut from every other chunk, with its comma, the
///   rest of the event left byte for byte.
///
/// Nothing else is changed: a `usage` object on a chunk that also carries choices is kept
/// (DeepSeek sends one on its finish chunk whether or not it was asked), and Anthropic
/// events never match either rule. An event whose payload spans several `data:` lines (no
/// known provider sends one) is dropped by the first rule but not cut by the second.
///
/// **Latency.** Without stripping, every byte is emitted at once, before `feed` returns
/// (the filter only reads). With stripping, the bytes of an event are held until the event
/// completes, then emitted, changed or dropped: at most one event of delay, and none for
/// bytes that arrive as whole events. A comment between events is never held past its line.
///
/// **Memory.** An incomplete segment is copied into a buffer reused across feeds; a segment
/// that arrives whole is read in place. A segment longer than `maxEventBytes` (line endings
/// included, but for the LF of a final CRLF) is never read nor changed, however it arrives: once held bytes pass the limit
/// they are let out and the rest of the segment passes through without being held.
///
/// A value type owned by one stream on its event loop; not shared between threads. Pure:
/// no I/O, no clock.
package struct UsageStreamFilter: Sendable {
    /// Whether the usage-only chunk and `"usage":null` members are removed from the output.
    package let stripsUsage: Bool
    /// The most bytes of one incomplete segment the filter holds.
    package let maxEventBytes: Int
    /// Whether the generated text of each event is measured (`outputTextBytes`), for
    /// charging a consumer's output tokens while the stream flows.
    package let countsOutput: Bool
    /// The bytes of generated text read so far (`GeneratedText`); 0 unless `countsOutput`.
    package internal(set) var outputTextBytes = 0

    enum Decision: Equatable {
        case keep
        case drop
        /// Cut these bytes (relative to the segment) out of it.
        case cut(Range<Int>)
    }

    /// What the previous byte, a CR, ended, so that an LF right after it (the other half
    /// of a CRLF, possibly in the next feed) goes where the CR went.
    enum AfterCarriageReturn {
        case nothing
        case lineInsideSegment
        case keptSegment
        case droppedSegment
    }

    // The bytes of the current segment received in earlier feeds.
    var pending: [UInt8] = []
    // The data lines of a multi-line event, joined.
    var scratch: [UInt8] = []
    var lineStarted = false
    var lineIsComment = false
    var segmentHasField = false
    var afterCarriageReturn = AfterCarriageReturn.nothing
    // The current segment outgrew `maxEventBytes` and passes through unread.
    var oversized = false
    var atStreamStart = true
    var fields = UsageFields()
    var sawTerminalEvent = false

    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let colon = UInt8(ascii: ":")
    // Held buffers larger than this are released after use rather than kept for the next event.
    static let retainedCapacity = 4096

    /// Creates a filter for one stream.
    ///
    /// - Parameters:
    ///   - stripsUsage: true when the proxy forced `include_usage` upstream and the client
    ///     had not asked for it (`!JSONBodyRewriter.IncludeUsageRewrite.clientRequestedUsage`);
    ///     false to only read usage.
    ///   - maxEventBytes: the most bytes of one incomplete event to hold (default 1 MiB).
    ///   - countsOutput: measure the generated text of each event (`outputTextBytes`).
    package init(stripsUsage: Bool, maxEventBytes: Int = 1 << 20, countsOutput: Bool = false) {
        precondition(maxEventBytes > 0, "maxEventBytes must be positive")
        self.stripsUsage = stripsUsage
        self.maxEventBytes = maxEventBytes
        self.countsOutput = countsOutput
    }

    /// Whether everything read so far ends at an event boundary: the client has been sent no
    /// part of an unfinished event, so the proxy may append events of its own.
    package var atEventBoundary: Bool {
        pending.isEmpty && !oversized && !lineStarted && !segmentHasField && afterCarriageReturn != .lineInsideSegment
    }

    /// Reads the next bytes of the upstream stream and emits what the client gets for them.
    ///
    /// `emit` runs synchronously, zero or more times, before `feed` returns, with buffers
    /// valid only during the call; the emitted bytes, in order, are the client's stream.
    /// Called on the stream's event loop; never blocks.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        guard !bytes.isEmpty else { return }
        if !stripsUsage { emit(bytes) }
        // Bytes before `runStart` are emitted or dropped; those from `segmentStart` on belong
        // to the current segment (which may have begun in `pending`).
        var runStart = 0
        var segmentStart = 0
        var index = 0
        let count = bytes.count
        if afterCarriageReturn != .nothing {
            // The previous read ended with a CR: an LF now is the rest of that line ending.
            let previous = afterCarriageReturn
            afterCarriageReturn = .nothing
            if bytes[0] == Self.lineFeed {
                index = 1
                switch previous {
                case .keptSegment: segmentStart = 1
                case .droppedSegment:
                    segmentStart = 1
                    runStart = 1
                case .lineInsideSegment, .nothing: break
                }
            }
        }
        while index < count {
            let byte = bytes[index]
            guard byte == Self.lineFeed || byte == Self.carriageReturn else {
                if !lineStarted {
                    lineStarted = true
                    lineIsComment = byte == Self.colon
                    if !lineIsComment { segmentHasField = true }
                }
                index = Self.lineEnd(in: bytes, from: index &+ 1)
                continue
            }
            // A blank line ends an event; a comment line ends a segment holding no field.
            let endsSegment = !lineStarted || (lineIsComment && !segmentHasField)
            lineStarted = false
            index &+= 1
            // CR LF is one line ending; a CR that ends the read leaves its LF to the next one.
            var carriageReturnEndsRead = false
            if byte == Self.carriageReturn {
                if index < count {
                    if bytes[index] == Self.lineFeed { index &+= 1 }
                } else {
                    carriageReturnEndsRead = true
                }
            }
            if endsSegment {
                segmentHasField = false
                let dropped = completeSegment(bytes, segmentStart..<index, runStart: &runStart, emit: emit)
                segmentStart = index
                if carriageReturnEndsRead { afterCarriageReturn = dropped ? .droppedSegment : .keptSegment }
            } else if carriageReturnEndsRead {
                afterCarriageReturn = .lineInsideSegment
            }
        }
        if stripsUsage {
            if oversized {
                Self.emit(bytes, runStart..<count, emit)
                return
            }
            Self.emit(bytes, runStart..<segmentStart, emit)
        }
        if !oversized, segmentStart < count {
            hold(UnsafeRawBufferPointer(rebasing: bytes[segmentStart..<count]), emit: emit)
        }
    }

    /// Ends the stream: emits the bytes of an incomplete last event unchanged (they were
    /// held only when stripping) and returns what the stream reported. The filter is then
    /// reset for a new stream with the same settings.
    package mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) -> StreamUsage {
        if stripsUsage, !pending.isEmpty { pending.withUnsafeBytes { emit($0) } }
        let atBoundary = pending.isEmpty && !oversized && !lineStarted && !segmentHasField
        let result = StreamUsage(usage: fields.tokenUsage, endedCleanly: sawTerminalEvent && atBoundary)
        self = UsageStreamFilter(stripsUsage: stripsUsage, maxEventBytes: maxEventBytes, countsOutput: countsOutput)
        return result
    }

    // MARK: Segments

    /// A segment ends at `range.upperBound` of `bytes`: reads it and, when stripping, emits
    /// or drops it. Returns whether it was dropped.
    private mutating func completeSegment(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, runStart: inout Int,
        emit: (UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        if oversized {
            // Already emitted (or in the run): it passes through unread.
            oversized = false
            atStreamStart = false
            return false
        }
        if pending.isEmpty {
            // The limit applies to a segment that arrived whole too, so that what is read
            // does not depend on where the reads were split.
            if Self.limitedLength(of: UnsafeRawBufferPointer(rebasing: bytes[range])) > maxEventBytes {
                atStreamStart = false
                return false
            }
            let decision = inspect(UnsafeRawBufferPointer(rebasing: bytes[range]))
            guard stripsUsage else { return false }
            switch decision {
            case .keep:
                return false
            case .drop:
                Self.emit(bytes, runStart..<range.lowerBound, emit)
                runStart = range.upperBound
                return true
            case .cut(let cut):
                Self.emit(bytes, runStart..<range.lowerBound + cut.lowerBound, emit)
                runStart = range.lowerBound + cut.upperBound
                return false
            }
        }
        // The segment began in an earlier feed, so it starts this one: range.lowerBound == 0.
        if pending.count > maxEventBytes - Self.limitedLength(of: UnsafeRawBufferPointer(rebasing: bytes[range])) {
            // Too large to read: pass it through; its head stays in the run.
            if stripsUsage { pending.withUnsafeBytes { emit($0) } }
            releasePending()
            atStreamStart = false
            return false
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        runStart = range.upperBound
        // Take the buffer out of `self` so it can be read while `self` is mutated.
        var held: [UInt8] = []
        swap(&held, &pending)
        let decision = held.withUnsafeBytes { inspect($0) }
        if stripsUsage {
            held.withUnsafeBytes { held in
                switch decision {
                case .keep: emit(held)
                case .drop: break
                case .cut(let cut):
                    Self.emit(held, 0..<cut.lowerBound, emit)
                    Self.emit(held, cut.upperBound..<held.count, emit)
                }
            }
        }
        swap(&held, &pending)
        releasePending()
        return stripsUsage && decision == .drop
    }

    /// Keeps the start of an incomplete segment for the next feed, or, past the limit,
    /// gives up on reading it and lets it through.
    private mutating func hold(_ tail: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        guard pending.count <= maxEventBytes - tail.count else {
            if stripsUsage {
                pending.withUnsafeBytes { emit($0) }
                emit(tail)
            }
            releasePending()
            oversized = true
            return
        }
        pending.append(contentsOf: tail)
    }

    private mutating func releasePending() {
        pending.removeAll(keepingCapacity: pending.capacity <= Self.retainedCapacity)
    }

    /// The length the size limit counts for (the end of) a segment: all of it but the LF of a
    /// final CRLF, which arrives after the segment has ended when a read splits the pair, so
    /// that the limit is met at the same length however the stream is split.
    static func limitedLength(of segment: UnsafeRawBufferPointer) -> Int {
        let count = segment.count
        if count >= 2, segment[count &- 1] == lineFeed, segment[count &- 2] == carriageReturn { return count &- 1 }
        return count
    }

    /// The index of the first CR or LF in `bytes` at or after `start`, or `bytes.count`.
    /// Sixteen bytes at a time: this scan runs over every byte of every stream.
    static func lineEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        let count = bytes.count
        if let base = bytes.baseAddress {
            let lineFeeds = SIMD16<UInt8>(repeating: lineFeed)
            let carriageReturns = SIMD16<UInt8>(repeating: carriageReturn)
            while index &+ 16 <= count {
                let block = (base + index).loadUnaligned(as: SIMD16<UInt8>.self)
                if any((block .== lineFeeds) .| (block .== carriageReturns)) { break }
                index &+= 16
            }
        }
        while index < count, bytes[index] != lineFeed, bytes[index] != carriageReturn { index &+= 1 }
        return index
    }

    private static func emit(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ emit: (UnsafeRawBufferPointer) -> Void) {
        if !range.isEmpty { emit(UnsafeRawBufferPointer(rebasing: bytes[range])) }
    }
}
