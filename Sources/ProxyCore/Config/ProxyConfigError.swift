/// A proxy config was rejected: every problem found, in document order (syntax first, then
/// cross-references).
package struct ProxyConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// At least one issue.
    package let issues: [ConfigIssue]

    /// An error carrying `issues` (at least one).
    package init(issues: [ConfigIssue]) { self.issues = issues }

    /// One issue per line.
    package var description: String { issues.map(\.description).joined(separator: "\n") }
}
