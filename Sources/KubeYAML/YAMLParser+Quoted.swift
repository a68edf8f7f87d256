/// Single- and double-quoted scalars (YAML 1.2 §7.3).
extension YAMLParser {
    /// Reads the quoted scalar at `pos` (which is at `'` or `"`) and moves past its closing quote.
    ///
    /// Line breaks inside are folded: trailing white space is dropped, one break becomes a
    /// space, each further empty line a line feed, and the next line's leading white space
    /// is dropped. Double-quoted scalars take every YAML escape, including `\xXX`, `\uXXXX`,
    /// `\UXXXXXXXX` and an escaped line break.
    mutating func parseQuotedScalar() throws(YAMLError) -> String {
        let open = pos
        let double = input[pos] == YAMLByte.doubleQuote
        let kind = double ? "double-quoted" : "single-quoted"
        var text: [UInt8] = []
        var whiteStart: Int?  // start of a run of raw white space not yet known to be content
        pos += 1
        while true {
            guard pos < input.count else { throw error("unterminated \(kind) scalar", at: open) }
            let byte = input[pos]
            if YAMLByte.isWhite(byte) {
                if whiteStart == nil { whiteStart = pos }
                pos += 1
                continue
            }
            if byte == YAMLByte.lf {
                whiteStart = nil  // white space before a line break is not content
                try foldQuotedLineBreak(into: &text, escaped: false, open: open, kind: kind)
                continue
            }
            if let start = whiteStart {
                text.append(contentsOf: input[start..<pos])
                whiteStart = nil
            }
            if !double {
                if byte == YAMLByte.singleQuote {
                    if self.byte(at: pos + 1) == YAMLByte.singleQuote {
                        text.append(YAMLByte.singleQuote)
                        pos += 2
                        continue
                    }
                    pos += 1
                    return String(decoding: text, as: UTF8.self)
                }
            } else if byte == YAMLByte.doubleQuote {
                pos += 1
                return String(decoding: text, as: UTF8.self)
            } else if byte == YAMLByte.backslash {
                try parseEscape(into: &text, open: open)
                continue
            }
            text.append(byte)
            pos += 1
        }
    }

    /// Folds the line break at `pos` and the empty lines after it, then skips the next line's
    /// leading white space. An escaped break (`\` at the end of a line) adds no space.
    private mutating func foldQuotedLineBreak(into text: inout [UInt8], escaped: Bool, open: Int, kind: String) throws(YAMLError) {
        var emptyLines = 0
        while true {
            consumeLineBreak()
            if atAnyDocumentMarker() { throw error("unterminated \(kind) scalar", at: open) }
            skipWhite()
            guard pos < input.count else { throw error("unterminated \(kind) scalar", at: open) }
            if input[pos] != YAMLByte.lf { break }
            emptyLines += 1
        }
        if emptyLines > 0 {
            text.append(contentsOf: repeatElement(YAMLByte.lf, count: emptyLines))
        } else if !escaped {
            text.append(YAMLByte.space)
        }
    }

    /// Decodes the escape sequence at `pos` (at the backslash) into UTF-8.
    private mutating func parseEscape(into text: inout [UInt8], open: Int) throws(YAMLError) {
        let start = pos
        guard let code = byte(at: pos + 1) else { throw error("unterminated double-quoted scalar", at: open) }
        pos += 2
        let simple: UInt32?
        switch code {
        case 0x30: simple = 0x00  // \0
        case 0x61: simple = 0x07  // \a
        case 0x62: simple = 0x08  // \b
        case 0x74, YAMLByte.tab: simple = 0x09  // \t, \<TAB>
        case 0x6E: simple = 0x0A  // \n
        case 0x76: simple = 0x0B  // \v
        case 0x66: simple = 0x0C  // \f
        case 0x72: simple = 0x0D  // \r
        case 0x65: simple = 0x1B  // \e
        case YAMLByte.space: simple = 0x20
        case YAMLByte.doubleQuote: simple = 0x22
        case 0x2F: simple = 0x2F  // \/
        case YAMLByte.backslash: simple = 0x5C
        case 0x4E: simple = 0x85  // \N
        case 0x5F: simple = 0xA0  // \_
        case 0x4C: simple = 0x2028  // \L
        case 0x50: simple = 0x2029  // \P
        case YAMLByte.lf:
            pos -= 1  // back to the line break
            try foldQuotedLineBreak(into: &text, escaped: true, open: open, kind: "double-quoted")
            return
        case 0x78, 0x75, 0x55:  // \x, \u, \U
            simple = nil
        default:
            let shown = code < 0x80 ? String(Character(Unicode.Scalar(code))) : "…"
            throw error("unknown escape sequence '\\\(shown)' in a double-quoted scalar", at: start)
        }
        var value: UInt32
        if let simple {
            value = simple
        } else {
            let digits = code == 0x78 ? 2 : code == 0x75 ? 4 : 8
            value = 0
            for _ in 0..<digits {
                guard let next = current, let digit = YAMLByte.hexValue(next) else {
                    throw error("escape sequence '\\\(Character(Unicode.Scalar(code)))' needs \(digits) hexadecimal digits", at: start)
                }
                value = value << 4 | digit  // at most 8 digits: fits in 32 bits
                pos += 1
            }
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("escape sequence is not a valid Unicode code point (surrogate or above U+10FFFF)", at: start)
        }
        text.append(contentsOf: UTF8.encode(scalar)!)
    }
}
