/// Priority classes (`defaults.priorities`): the names a request may give in
/// `x-sluice-priority`, highest first, and the class of a request that gives none. A backend's
/// queue serves higher classes first and sheds the lowest first (`ConcurrencyLimiter`).
package struct PriorityConfig: Hashable, Sendable {
    /// Class names, highest priority first; 2 to `maxLevels`, unique.
    package let levels: [String]
    /// The index in `levels` of a request without the header.
    package let defaultLevel: Int
    /// The share (percent, 1 to 90) of each backend's `maxConcurrentRequests` only the top
    /// class may use (`ConcurrencyLimiter.reservedSlots`); nil: none.
    package let reservedPercent: Int?

    /// The most classes.
    package static let maxLevels = 8
    /// The request header that names a request's class.
    package static let header = "x-sluice-priority"

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(levels: [String], defaultLevel: Int, reservedPercent: Int? = nil) {
        self.levels = levels
        self.defaultLevel = defaultLevel
        self.reservedPercent = reservedPercent
    }

    /// The class of a request from a party whose own class is `ceiling` (a consumer's
    /// `priority`; nil: none): without the header, `ceiling` or else the default; with it, the
    /// named class, but never above `ceiling` (a party cannot raise itself by header, only
    /// lower itself). Nil for a value that is not a class name (answer 400 `invalid_priority`).
    package func level(of headers: HTTPHeaders, ceiling: Int? = nil) -> Int? {
        guard let value = headers.first(Self.header) else { return ceiling ?? defaultLevel }
        guard let asked = levels.firstIndex(of: value) else { return nil }
        // 0 is the highest class: a smaller index than the ceiling's is a higher class.
        return max(asked, ceiling ?? 0)
    }
}
