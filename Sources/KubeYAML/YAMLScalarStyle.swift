/// How the writer spells a string: plain, double-quoted or literal block, and the escapes.
enum YAMLScalarStyle {
    /// A mapping key: plain when safe, else double-quoted.
    static func key(_ text: String) -> String {
        isPlainSafe(text) ? text : doubleQuoted(text)
    }

    /// A string value with its trailing line feed: plain, a literal block scalar whose
    /// content lines start at column `contentIndent`, or double-quoted.
    static func value(_ text: String, contentIndent: Int) -> String {
        if isPlainSafe(text) { return text + "\n" }
        if let block = literalBlock(text, contentIndent: contentIndent) { return block }
        return doubleQuoted(text) + "\n"
    }

    // MARK: Plain

    /// Whether `text` written plain reads back as this same string, in YAML 1.2 and 1.1 alike.
    static func isPlainSafe(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        if first == YAMLByte.space || last == YAMLByte.space { return false }
        // `-`, `?` and `:` may start a plain scalar when a non-blank follows (`--port`, `:x`).
        let dashLike = first == YAMLByte.minus || first == YAMLByte.question || first == YAMLByte.colon
        if YAMLByte.isIndicator(first) && !(dashLike && bytes.count > 1 && bytes[1] > YAMLByte.space) { return false }
        if last == YAMLByte.colon { return false }
        for (index, byte) in bytes.enumerated() {
            if byte < 0x20 || byte == 0x7F { return false }  // tabs, line breaks, controls
            if byte == YAMLByte.colon && bytes[index + 1] == YAMLByte.space { return false }
            if byte == YAMLByte.hash && bytes[index - 1] == YAMLByte.space { return false }
        }
        if !text.unicodeScalars.allSatisfy(isPlainPrintable) { return false }
        if text.hasPrefix("...") || text.hasPrefix("---") || text == "<<" || text == "=" { return false }
        guard case .value(.string) = YAMLCoreSchema.resolve(bytes) else { return false }
        return !isYAML11Ambiguous(bytes)
    }

    /// Printable, and not one of the characters YAML 1.1 treats as line breaks, nor a BOM.
    private static func isPlainPrintable(_ scalar: Unicode.Scalar) -> Bool {
        YAMLByte.isPrintable(scalar) && ![0x85, 0x2028, 0x2029, 0xFEFF].contains(scalar.value)
    }

    /// Strings a YAML 1.1 reader (kubectl, go-yaml v2) would type: `yes`/`no`/`on`/`off`/`y`/`n`
    /// in their case variants, and number-like text (`0777`, `1_000`, `0b101`, `12:30`, dates).
    private static func isYAML11Ambiguous(_ bytes: [UInt8]) -> Bool {
        let word = String(decoding: bytes, as: UTF8.self)
        let booleans: Set<String> = [
            "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
            "on", "On", "ON", "off", "Off", "OFF",
        ]
        if booleans.contains(word) { return true }
        var body = bytes[...]
        if let sign = body.first, sign == YAMLByte.plus || sign == YAMLByte.minus { body = body.dropFirst() }
        if let dot = body.first, dot == YAMLByte.dot { body = body.dropFirst() }
        guard let first = body.first, YAMLByte.isDigit(first) else { return false }
        return bytes.allSatisfy { byte in
            YAMLByte.hexValue(byte) != nil || "xXoObB_.:+-".utf8.contains(byte)
        }
    }

    // MARK: Literal block

    /// `text` as a literal block scalar (`|`, `|-`, `|+`, with an indentation indicator when
    /// the first line is empty or starts with white space), or nil when a block cannot hold it exactly.
    private static func literalBlock(_ text: String, contentIndent: Int) -> String? {
        guard text.utf8.contains(YAMLByte.lf) else { return nil }
        guard text.unicodeScalars.allSatisfy({ scalar in
            scalar.value == 0x09 || scalar.value == 0x0A || (scalar.value >= 0x20 && isPlainPrintable(scalar))
        }) else { return nil }
        var body = Substring(text)
        var trailingBreaks = 0
        while body.utf8.last == YAMLByte.lf {
            body = body.dropLast()
            trailingBreaks += 1
        }
        // Nothing but line breaks: a block scalar with no content cannot say how many.
        guard !body.isEmpty else { return nil }
        var header = "|"
        // Auto-detected indentation would take leading spaces as indentation, and libyaml
        // (so kubectl) refuses a tab there: say the indentation explicitly.
        if let first = body.utf8.first, first == YAMLByte.space || first == YAMLByte.lf || first == YAMLByte.tab {
            header += "2"
        }
        header += trailingBreaks == 0 ? "-" : trailingBreaks == 1 ? "" : "+"
        let indentation = String(repeating: " ", count: contentIndent)
        var block = header + "\n"
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.isEmpty { block += indentation + line }
            block += "\n"
        }
        block += String(repeating: "\n", count: max(trailingBreaks - 1, 0))
        return block
    }

    // MARK: Double-quoted

    /// `text` in double quotes, escaping `"`, `\`, controls, and characters YAML readers may misread.
    static func doubleQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: quoted += "\\\""
            case 0x5C: quoted += "\\\\"
            case 0x00: quoted += "\\0"
            case 0x07: quoted += "\\a"
            case 0x08: quoted += "\\b"
            case 0x09: quoted += "\\t"
            case 0x0A: quoted += "\\n"
            case 0x0B: quoted += "\\v"
            case 0x0C: quoted += "\\f"
            case 0x0D: quoted += "\\r"
            case 0x1B: quoted += "\\e"
            case 0x85: quoted += "\\N"
            case 0x2028: quoted += "\\L"
            case 0x2029: quoted += "\\P"
            case let value where value < 0x20 || (0x7F...0x9F).contains(value):
                quoted += "\\x" + hexDigits(value, count: 2)
            case let value where !isPlainPrintable(scalar):
                quoted += value > 0xFFFF ? "\\U" + hexDigits(value, count: 8) : "\\u" + hexDigits(value, count: 4)
            default:
                quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    private static func hexDigits(_ value: UInt32, count: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(count - digits.count, 0)) + digits
    }

    // MARK: Numbers

    /// Whether `literal` matches RFC 8259's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`.
    static func isJSONNumber(_ literal: String) -> Bool {
        let bytes = Array(literal.utf8)
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, YAMLByte.isDigit(bytes[index]) { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == YAMLByte.minus { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != YAMLByte.zero else { return false }
        if index < bytes.count, bytes[index] == YAMLByte.dot {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
            index += 1
            if index < bytes.count, bytes[index] == YAMLByte.plus || bytes[index] == YAMLByte.minus { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }
}
