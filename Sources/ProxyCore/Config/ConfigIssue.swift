/// One problem found in a proxy config: where (a JSON path such as
/// `routes[2].split[1].weight`, empty for the whole document) and what was found and expected.
///
/// Messages are stable: tests assert them verbatim, and CI scripts may match them.
package struct ConfigIssue: Hashable, Sendable, CustomStringConvertible {
    /// Dotted keys and `[index]`es from the document root; `""` for the document itself.
    package let path: String
    /// What was found and what was expected, e.g. `-5 is not a non-negative integer`.
    package let message: String

    /// An issue at `path` (empty for the document).
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, or just the message for the document itself.
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
