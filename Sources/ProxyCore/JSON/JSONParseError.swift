/// Why a JSON document was rejected, and where.
///
/// Produced by `JSONParser` and `JSONFieldScanner` for untrusted input; it is a value the
/// caller reports (a 400 for a request body, a config error with its position), never a trap.
package struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset of the offending byte from the start of the input (the input's length at end of input).
    package var offset: Int
    /// 1-based line: lines are separated by `\n`.
    package var line: Int
    /// 1-based column, counted in Unicode scalars (UTF-8 lead bytes) from the start of the line.
    package var column: Int
    /// What was expected and what was found, e.g. `expected ',' or '}' after object member, found 'x'`.
    package var message: String

    package init(offset: Int, line: Int, column: Int, message: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { "line \(line), column \(column): \(message)" }
}
