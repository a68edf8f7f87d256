/// Priority classes (`defaults.priorities`): the names a request may give in
/// `x-sluice-priority`, highest first, and the class of a request that gives none. A backend's
/// queue serves higher classes first and sheds the lowest first (`ConcurrencyLimiter`).
package struct PriorityConfig: Hashable, Sendable {
    /// Class names, highest priority first; 2 to `maxLevels`, unique.
    package let levels: [String]
    /// The index in `levels` of a request without the header.
    package let defaultLevel: Int

    /// The most classes.
    package static let maxLevels = 8
    /// The request header that names a request's class.
    package static let header = "x-sluice-priority"

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(levels: [String], defaultLevel: Int) {
        self.levels = levels
        self.defaultLevel = defaultLevel
    }

    /// The class a request asks for: its header's value's index, the default without the
    /// header, nil for a value that is not a class name (answer 400 `invalid_priority`).
    package func level(of headers: HTTPHeaders) -> Int? {
        guard let value = headers.first(Self.header) else { return defaultLevel }
        return levels.firstIndex(of: value)
    }
}
