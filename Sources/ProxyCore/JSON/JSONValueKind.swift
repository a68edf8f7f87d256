/// The kind of a JSON value, read from its first byte.
package enum JSONValueKind: Hashable, Sendable {
    case string
    case number
    case bool
    case null
    case object
    case array
}
