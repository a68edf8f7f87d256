#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// Block scalars: literal `|` and folded `>`, with chomping (`-`, `+`) and indentation indicators.
extension YAMLParser {
    private enum Chomping { case strip, clip, keep }

    /// Reads the block scalar whose header is at `pos`, up to the first line indented less
    /// than its content, and leaves `pos` at the start of that line.
    ///
    /// `parentIndent` is the column of the enclosing collection (-1 at the top level): the
    /// content must be indented more, and an explicit indentation indicator counts from it.
    mutating func parseBlockScalar(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let start = pos
        let folded = input[pos] == YAMLByte.greater
        pos += 1
        var chomping = Chomping.clip
        var explicitIndent: Int?
        var sawChomping = false
        while let byte = current {
            if byte == YAMLByte.plus || byte == YAMLByte.minus {
                if sawChomping { throw error("a block scalar header may have only one chomping indicator") }
                sawChomping = true
                chomping = byte == YAMLByte.plus ? .keep : .strip
            } else if byte > YAMLByte.zero && byte <= YAMLByte.nine {
                if explicitIndent != nil { throw error("a block scalar header may have only one indentation indicator") }
                explicitIndent = Int(byte - YAMLByte.zero)
            } else if byte == YAMLByte.zero {
                throw error("a block scalar's indentation indicator must be between 1 and 9")
            } else {
                break
            }
            pos += 1
        }
        guard isBlankOrEnd(pos) else { throw error("invalid block scalar header; expected '|' or '>' then optional '-', '+' or a digit") }
        try expectLineEnd(after: "a block scalar header")
        if !atEnd { consumeLineBreak() }

        var indent = explicitIndent.map { max(parentIndent, 0) + $0 }
        // Each line: its content (after the indentation), or nil when empty.
        var lines: [Range<Int>?] = []
        var lastContentEndedWithBreak = true
        var leadingEmptyIndent = 0
        while pos < input.count {
            var firstNonSpace = pos
            while firstNonSpace < input.count, input[firstNonSpace] == YAMLByte.space { firstNonSpace += 1 }
            let spaces = firstNonSpace - pos
            let atEndOfInput = firstNonSpace >= input.count
            let isEmpty = atEndOfInput || input[firstNonSpace] == YAMLByte.lf
            if indent == nil {
                if isEmpty {
                    // Spaces with no line break after them end the input; they are not a line.
                    if atEndOfInput { break }
                    leadingEmptyIndent = max(leadingEmptyIndent, spaces)
                    lines.append(nil)
                    skipLine(to: firstNonSpace)
                    continue
                }
                // A first content line not indented past the parent ends the (empty) scalar.
                if spaces <= parentIndent || spaces == 0 { break }
                let detected = spaces
                if leadingEmptyIndent > detected {
                    throw error("a leading empty line of this block scalar has more spaces than its first content line; use an indentation indicator", at: start)
                }
                indent = detected
            }
            let contentIndent = indent!
            if isEmpty {
                if spaces > contentIndent {
                    // Spaces past the indentation are content, even on an otherwise empty line.
                    lines.append((pos + contentIndent)..<firstNonSpace)
                    lastContentEndedWithBreak = !atEndOfInput
                } else if atEndOfInput {
                    break
                } else {
                    lines.append(nil)
                }
                skipLine(to: firstNonSpace)
                continue
            }
            if spaces < contentIndent { break }
            var end = firstNonSpace
            while end < input.count, input[end] != YAMLByte.lf { end += 1 }
            lines.append((pos + contentIndent)..<end)
            lastContentEndedWithBreak = end < input.count
            skipLine(to: end)
        }

        var text: [UInt8] = []
        guard let lastContent = lines.lastIndex(where: { $0 != nil }) else {
            if chomping == .keep { text.append(contentsOf: repeatElement(YAMLByte.lf, count: lines.count)) }
            return .string(String(decoding: text, as: UTF8.self))
        }
        var emptyLines = 0
        var isFirst = true
        var previousMoreIndented = false
        for line in lines[...lastContent] {
            guard let range = line else {
                emptyLines += 1
                continue
            }
            // Folding joins two "normal" lines with a space; lines starting with white space
            // ("more indented") keep their line breaks (YAML 1.2 §8.1.3).
            let moreIndented = YAMLByte.isWhite(input[range.lowerBound])
            if isFirst {
                text.append(contentsOf: repeatElement(YAMLByte.lf, count: emptyLines))
            } else if folded && !previousMoreIndented && !moreIndented {
                if emptyLines == 0 {
                    text.append(YAMLByte.space)
                } else {
                    text.append(contentsOf: repeatElement(YAMLByte.lf, count: emptyLines))
                }
            } else {
                text.append(contentsOf: repeatElement(YAMLByte.lf, count: emptyLines + 1))
            }
            text.append(contentsOf: input[range])
            emptyLines = 0
            isFirst = false
            previousMoreIndented = moreIndented
        }
        switch chomping {
        case .strip:
            break
        case .clip:
            if lastContentEndedWithBreak { text.append(YAMLByte.lf) }
        case .keep:
            if lastContentEndedWithBreak { text.append(YAMLByte.lf) }
            text.append(contentsOf: repeatElement(YAMLByte.lf, count: lines.count - lastContent - 1))
        }
        return .string(String(decoding: text, as: UTF8.self))
    }

    /// Moves to the start of the line after the one ending at or after `index`.
    private mutating func skipLine(to index: Int) {
        pos = index
        while pos < input.count, input[pos] != YAMLByte.lf { pos += 1 }
        if pos < input.count { consumeLineBreak() }
    }
}
