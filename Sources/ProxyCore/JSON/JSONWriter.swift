/// Writes JSON as UTF-8 bytes: a whole `JSONValue` tree here, single values without a tree
/// in `JSONWriter+Append.swift` (the hot path: error bodies, access-log lines).
///
/// Pure and thread-safe. Output is always valid RFC 8259 JSON: strings are escaped (`"`,
/// `\`, control characters) and otherwise written as UTF-8, and a `JSONNumber` whose
/// literal is not a valid JSON number is written as `null`.
package enum JSONWriter {
    /// How a tree is laid out.
    package struct Options: OptionSet, Hashable, Sendable {
        package var rawValue: UInt8
        package init(rawValue: UInt8) { self.rawValue = rawValue }

        /// One member or element per line, indented by two spaces, `"key": value`.
        package static let pretty = Options(rawValue: 1 << 0)
        /// Object members sorted by the UTF-8 bytes of their keys (members with equal keys
        /// keep their order), so equal configs give identical bytes and minimal diffs.
        package static let canonical = Options(rawValue: 1 << 1)
    }

    /// `value` as JSON; compact unless `options` say otherwise. No trailing newline.
    package static func write(_ value: JSONValue, options: Options = []) -> [UInt8] {
        var output: [UInt8] = []
        append(value, to: &output, options: options)
        return output
    }

    /// Appends `value` as JSON to `output`.
    package static func append(_ value: JSONValue, to output: inout [UInt8], options: Options = []) {
        append(value, indent: 0, options: options, to: &output)
    }

    // Recursive: trees come from the parser (depth-limited) or from code.
    private static func append(_ value: JSONValue, indent: Int, options: Options, to output: inout [UInt8]) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let number):
            appendNumber(number, to: &output)
        case .string(let string):
            appendString(string, to: &output)
        case .array(let elements):
            guard !elements.isEmpty else { return output.append(contentsOf: "[]".utf8) }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1, options, &output)
                append(element, indent: indent + 1, options: options, to: &output)
            }
            newline(indent, options, &output)
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.members.isEmpty else { return output.append(contentsOf: "{}".utf8) }
            output.append(UInt8(ascii: "{"))
            var order = Array(object.members.indices)
            if options.contains(.canonical) {
                // Sorting indices, with the index as tie-break, makes the order total and stable.
                order.sort { left, right in
                    let a = object.members[left].key.utf8, b = object.members[right].key.utf8
                    if a.elementsEqual(b) { return left < right }
                    return a.lexicographicallyPrecedes(b)
                }
            }
            for (position, index) in order.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                newline(indent + 1, options, &output)
                appendString(object.members[index].key, to: &output)
                output.append(UInt8(ascii: ":"))
                if options.contains(.pretty) { output.append(UInt8(ascii: " ")) }
                append(object.members[index].value, indent: indent + 1, options: options, to: &output)
            }
            newline(indent, options, &output)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ indent: Int, _ options: Options, _ output: inout [UInt8]) {
        guard options.contains(.pretty) else { return }
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    private static func appendNumber(_ number: JSONNumber, to output: inout [UInt8]) {
        var literal = number.literal
        let valid = literal.withUTF8 { JSONLexer.isValidNumber(UnsafeRawBufferPointer($0)) }
        output.append(contentsOf: valid ? literal.utf8 : "null".utf8)
    }
}
