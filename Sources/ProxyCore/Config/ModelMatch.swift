/// A condition on the client's model name. Comparisons are byte-wise on UTF-8 and case-sensitive.
package enum ModelMatch: Hashable, Sendable {
    /// The model is exactly this name (`"model": {"exact": …}`).
    case exact(String)
    /// The model starts with this (`"model": {"prefix": …}`).
    case prefix(String)
    /// The model matches this glob: `*` any run of bytes, `?` one byte, everything else literal.
    case glob(String)
    /// The whole model matches this regular expression (`LinearRegex`, compiled once per config).
    case regex(String)
    /// The model is one of these names (`"models": […]`, the shorthand).
    case oneOf([String])
}
