/// Sticky splitting: requests carrying the same value of `header` always pick the same entry.
package struct StickyConfig: Hashable, Sendable {
    /// The header whose value is hashed, e.g. `x-user-id`. Requests without it are picked at random.
    package let header: String

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(header: String) { self.header = header }
}
