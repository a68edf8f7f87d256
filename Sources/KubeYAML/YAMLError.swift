/// Why a YAML stream could not be read, and where.
///
/// `line` and `column` are 1-based. The column counts Unicode scalars from the start of
/// the line, as editors do. Messages quote at most a short piece of the input (a key, an
/// anchor name), never a whole value, so they are safe to show in status conditions.
package struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    package var line: Int
    package var column: Int
    package var message: String

    package init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { "line \(line), column \(column): \(message)" }
}
