/// Plain (unquoted) scalars, including multi-line ones folded into one line.
extension YAMLParser {
    /// Why a plain scalar's line ended.
    enum PlainStop: Equatable {
        case lineEnd
        /// At `: ` (or `:` before a flow indicator in flow context): the scalar was a key.
        case mappingValue
        /// At ` #`.
        case comment
        /// At `,[]{}` in flow context.
        case flowIndicator
    }

    /// Scans one line of a plain scalar from `start` without moving: where its content ends
    /// (trailing white space excluded) and where and why it stops.
    func scanPlainLine(from start: Int, flow: Bool) -> (contentEnd: Int, stopIndex: Int, stop: PlainStop) {
        var index = start
        var contentEnd = start
        while index < input.count {
            let byte = input[index]
            if byte == YAMLByte.lf { return (contentEnd, index, .lineEnd) }
            if byte == YAMLByte.colon {
                let next = index + 1
                if isBlankOrEnd(next) || (flow && YAMLByte.isFlowIndicator(input[next])) {
                    return (contentEnd, index, .mappingValue)
                }
            } else if byte == YAMLByte.hash, index > start, YAMLByte.isWhite(input[index - 1]) {
                return (contentEnd, index, .comment)
            } else if flow && YAMLByte.isFlowIndicator(byte) {
                return (contentEnd, index, .flowIndicator)
            }
            index += 1
            if !YAMLByte.isWhite(byte) { contentEnd = index }
        }
        return (contentEnd, index, .lineEnd)
    }

    /// Reads a plain scalar starting at `pos` (already checked by `checkPlainStart`).
    ///
    /// In block context it continues on following lines indented more than `parentIndent`;
    /// in flow context on any following line. Lines are folded (YAML 1.2 §6.5): one line
    /// break becomes a space, each further empty line a line feed. It stops before a
    /// comment, a `: ` (in flow context, the caller handles it), a flow indicator, a
    /// document marker, or a less indented line, leaving `pos` there.
    mutating func parsePlainScalar(flow: Bool, parentIndent: Int) throws(YAMLError) -> [UInt8] {
        var text: [UInt8] = []
        var line = scanPlainLine(from: pos, flow: flow)
        if line.stop == .mappingValue && !flow {
            throw error("mapping values are not allowed here; a nested mapping must start on a new line", at: line.stopIndex)
        }
        text.append(contentsOf: input[pos..<line.contentEnd])
        pos = line.stop == .lineEnd ? line.contentEnd : line.stopIndex

        while line.stop == .lineEnd && line.stopIndex < input.count {
            // Look ahead over empty lines to the next line with content.
            var index = line.stopIndex
            var emptyLines = 0
            var nextLineStart = index
            var contentStart = index
            while true {
                index += 1  // the LF
                nextLineStart = index
                while index < input.count, input[index] == YAMLByte.space { index += 1 }
                let indent = index - nextLineStart
                while index < input.count, YAMLByte.isWhite(input[index]) { index += 1 }
                if index < input.count, input[index] == YAMLByte.lf {
                    emptyLines += 1
                    continue
                }
                contentStart = index
                // The end, a comment line, a less indented line or a document marker ends the scalar.
                if index >= input.count || input[index] == YAMLByte.hash { return text }
                if !flow && indent <= parentIndent { return text }
                if indent == 0 && index - nextLineStart == 0 {
                    let saved = (pos, lineStart)
                    (pos, lineStart) = (index, nextLineStart)
                    let isMarker = atAnyDocumentMarker()
                    (pos, lineStart) = saved
                    if isMarker { return text }
                }
                break
            }
            line = scanPlainLine(from: contentStart, flow: flow)
            if line.contentEnd == contentStart && line.stop != .lineEnd {
                if !flow { throw error("bad indentation of a mapping entry", at: contentStart) }
                return text  // `,`, `]`, `}` or `:` opening the line: the flow parser takes it
            }
            if line.stop == .mappingValue && !flow {
                throw error("bad indentation of a mapping entry", at: contentStart)
            }
            if emptyLines == 0 {
                text.append(YAMLByte.space)
            } else {
                text.append(contentsOf: repeatElement(YAMLByte.lf, count: emptyLines))
            }
            text.append(contentsOf: input[contentStart..<line.contentEnd])
            lineStart = nextLineStart
            pos = line.stop == .lineEnd ? line.contentEnd : line.stopIndex
        }
        return text
    }
}
