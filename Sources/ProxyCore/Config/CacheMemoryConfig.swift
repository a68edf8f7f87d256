/// The in-process cache tier shared by the event loops (`cache.memory`): its bounds.
package struct CacheMemoryConfig: Hashable, Sendable {
    /// The most bytes of cached answers held. Default 64 MiB.
    package let maxBytes: Int
    /// The most entries held. Default 10,000.
    package let maxEntries: Int
    /// The largest answer stored; a larger one is passed on and not kept. Default 1 MiB.
    package let maxEntryBytes: Int

    package static let defaultMaxBytes = 64 << 20
    package static let defaultMaxEntries = 10_000
    package static let defaultMaxEntryBytes = 1 << 20
    /// The largest `maxBytes` accepted: 16 GiB.
    package static let maxBytesLimit = 16 << 30
    /// The largest `maxEntries` accepted: 10 million.
    package static let maxEntriesLimit = 10_000_000

    package static let `default` = CacheMemoryConfig()

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(maxBytes: Int = defaultMaxBytes, maxEntries: Int = defaultMaxEntries, maxEntryBytes: Int = defaultMaxEntryBytes) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxEntryBytes = maxEntryBytes
    }
}
