/// One thing wrong with one resource, found by the translator: which condition it makes
/// `False`, with which reason, and a message saying what is wrong and what to do.
package struct TranslationProblem: Hashable, Sendable, CustomStringConvertible {
    package var resource: ResourceID
    /// `ConditionType.accepted`, `.resolvedRefs`, `.programmed`, or `.notYetTranslated` (a warning).
    package var condition: String
    package var reason: String
    /// The JSON path of the field at fault, from the object's root; empty for the whole object.
    package var path: String
    package var message: String

    package init(_ resource: ResourceID, _ condition: String, _ reason: String, path: String = "", _ message: String) {
        self.resource = resource
        self.condition = condition
        self.reason = reason
        self.path = path
        self.message = message
    }

    /// `LLMRoute chat/gray: spec.rules[0].backendRefs[1].name: … (BackendNotFound)`.
    package var description: String {
        "\(resource): " + (path.isEmpty ? "" : "\(path): ") + message + " (\(reason))"
    }

    /// The message with its path, as a condition message shows it.
    var detail: String { path.isEmpty ? message : "\(path): \(message)" }
}
