/// One problem found while decoding a resource's spec: where (a JSON path from the object's
/// root, e.g. `spec.rules[0].backendRefs[1].weight`) and what was found and expected.
package struct SpecIssue: Hashable, Sendable, CustomStringConvertible {
    package var path: String
    package var message: String

    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
