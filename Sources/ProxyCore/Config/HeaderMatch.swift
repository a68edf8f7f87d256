/// A condition on one request header. Names compare ASCII case-insensitively; when a header
/// appears more than once, the first field's value is tested.
package struct HeaderMatch: Hashable, Sendable {
    /// What must be true of the header.
    package enum Condition: Hashable, Sendable {
        /// The value is exactly this (case-sensitive).
        case exact(String)
        /// The header is present (true) or absent (false).
        case present(Bool)
        /// The whole value matches this regular expression (`LinearRegex`).
        case regex(String)
    }

    /// The header's name as written in the config.
    package let name: String
    /// What must hold of the header.
    package let condition: Condition

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, condition: Condition) {
        self.name = name
        self.condition = condition
    }
}
