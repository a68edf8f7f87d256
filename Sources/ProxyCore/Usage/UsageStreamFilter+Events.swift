/// Reading one complete segment: finding its `data:` payload, reading usage and terminal
/// markers from it, and deciding what stripping does to it.
extension UsageStreamFilter {
    private static let done = Array("[DONE]".utf8)

    /// Reads a complete segment (raw bytes, line endings included) and returns what to do
    /// with it. Updates the usage read so far and whether the terminal event was seen.
    mutating func inspect(_ segment: UnsafeRawBufferPointer) -> Decision {
        var start = 0
        if atStreamStart {
            atStreamStart = false
            // A UTF-8 BOM may open the stream (WHATWG HTML §9.2.6); it is not part of a field name.
            if segment.count >= 3, segment[0] == 0xEF, segment[1] == 0xBB, segment[2] == 0xBF { start = 3 }
        }
        var dataLines = 0
        var firstData = 0..<0
        Self.forEachDataLine(in: segment, from: start) { value in
            dataLines &+= 1
            if dataLines == 1 { firstData = value }
        }
        if dataLines == 0 { return .keep }
        if dataLines == 1 {
            return inspectPayload(UnsafeRawBufferPointer(rebasing: segment[firstData]), canCut: true, offset: firstData.lowerBound)
        }
        // Several data lines are one payload joined with LF (WHATWG HTML §9.2.6).
        var joined: [UInt8] = []
        swap(&joined, &scratch)
        joined.removeAll(keepingCapacity: true)
        Self.forEachDataLine(in: segment, from: start) { value in
            if !joined.isEmpty || value.lowerBound != firstData.lowerBound { joined.append(Self.lineFeed) }
            joined.append(contentsOf: UnsafeRawBufferPointer(rebasing: segment[value]))
        }
        let decision = joined.withUnsafeBytes { inspectPayload($0, canCut: false, offset: 0) }
        joined.removeAll(keepingCapacity: joined.capacity <= Self.retainedCapacity)
        swap(&joined, &scratch)
        return decision
    }

    /// Reads one event's data. `canCut` when the payload lies contiguous in the segment at
    /// `offset`, so a member can be cut out of it.
    private mutating func inspectPayload(_ payload: UnsafeRawBufferPointer, canCut: Bool, offset: Int) -> Decision {
        if payload.elementsEqual(Self.done) {
            sawTerminalEvent = true
            return .keep
        }
        if countsOutput { outputTextBytes &+= GeneratedText.bytes(in: payload) }
        // Only a JSON object can hold usage, and only one that mentions it is worth a walk.
        guard let first = payload.first, first == UInt8(ascii: "{") || JSONLexer.isWhitespace(first),
              Self.mayMentionUsage(payload),
              let collector = UsageExtractor.collect(payload) else { return .keep }
        fields.merge(collector.messageUsage)
        fields.merge(collector.usage)
        if collector.typeIs("message_stop") { sawTerminalEvent = true }
        guard stripsUsage else { return .keep }
        if collector.usageKind == .object, collector.choicesIsEmptyArray { return .drop }
        if canCut, let cut = collector.nullUsageMemberRemoval {
            return .cut(cut.lowerBound + offset..<cut.upperBound + offset)
        }
        return .keep
    }

    /// False only when `payload` cannot hold a `usage` key nor the `message_stop` type: it
    /// has neither word nor any `\u` escape, the only way JSON can spell a letter differently.
    /// Most content chunks are skipped this way without a JSON walk.
    static func mayMentionUsage(_ payload: UnsafeRawBufferPointer) -> Bool {
        // Backwards: OpenAI-compatible chunks end with their `usage` member.
        var index = payload.count &- 1
        while index >= 1 {
            switch payload[index] {
            case UInt8(ascii: "u"):
                if payload[index &- 1] == JSONLexer.backslash || matches(payload, at: index, usageWord) { return true }
            case UInt8(ascii: "m"):
                if matches(payload, at: index, messageStopWord) { return true }
            default:
                break
            }
            index &-= 1
        }
        return false
    }

    private static let usageWord = Array("usage".utf8)
    private static let messageStopWord = Array("message_stop".utf8)

    private static func matches(_ bytes: UnsafeRawBufferPointer, at index: Int, _ word: [UInt8]) -> Bool {
        guard bytes.count &- index >= word.count else { return false }
        for offset in 0..<word.count where bytes[index &+ offset] != word[offset] { return false }
        return true
    }

    /// Calls `body` with the value range (after `data:` and one optional space) of each
    /// `data` field line of `segment`, in order. Lines end at CRLF, LF or CR.
    private static func forEachDataLine(in segment: UnsafeRawBufferPointer, from start: Int, _ body: (Range<Int>) -> Void) {
        var lineStart = start
        let count = segment.count
        while lineStart < count {
            let lineEnd = Self.lineEnd(in: segment, from: lineStart)
            // The field name is "data" exactly: followed by a colon or the end of the line.
            if lineEnd - lineStart >= 4, segment[lineStart] == UInt8(ascii: "d"), segment[lineStart &+ 1] == UInt8(ascii: "a"),
               segment[lineStart &+ 2] == UInt8(ascii: "t"), segment[lineStart &+ 3] == UInt8(ascii: "a"),
               lineEnd - lineStart == 4 || segment[lineStart &+ 4] == colon {
                var valueStart = Swift.min(lineStart &+ 5, lineEnd)
                if valueStart < lineEnd, segment[valueStart] == UInt8(ascii: " ") { valueStart &+= 1 }
                body(valueStart..<lineEnd)
            }
            var next = lineEnd
            if next < count {
                next &+= (segment[next] == carriageReturn && next &+ 1 < count && segment[next &+ 1] == lineFeed) ? 2 : 1
            }
            lineStart = next
        }
    }
}
