/// Every (backend, upstream model) the config describes in `backends[].modelInfo`, with its
/// price from `backends[].prices`, indexed once per config snapshot.
///
/// Immutable and shared by every loop. Entry indices are stable for the snapshot: the data
/// plane keeps one `EntryLiveWindow` per entry.
package struct ModelRegistry: Sendable {
    /// One registry entry.
    package struct Entry: Hashable, Sendable {
        package let backendIndex: Int
        package let backendName: String
        /// The upstream model name.
        package let model: String
        package let info: ModelInfoConfig
        /// Nil: no price configured; ranked after priced entries by `cost`.
        package let price: ModelPriceConfig?

        package init(backendIndex: Int, backendName: String, model: String, info: ModelInfoConfig, price: ModelPriceConfig?) {
            self.backendIndex = backendIndex
            self.backendName = backendName
            self.model = model
            self.info = info
            self.price = price
        }
    }

    /// In backend order, then by model name.
    package let entries: [Entry]
    // By backend index: upstream model → entry index.
    private let byBackend: [[String: Int]]

    /// The entries of `config`.
    package init(_ config: ProxyConfig) {
        var entries: [Entry] = []
        var byBackend: [[String: Int]] = []
        for (backendIndex, backend) in config.backends.enumerated() {
            var map: [String: Int] = [:]
            for (model, info) in backend.modelInfo.sorted(by: { $0.key < $1.key }) {
                map[model] = entries.count
                entries.append(Entry(backendIndex: backendIndex, backendName: backend.name, model: model,
                                     info: info, price: backend.prices[model]))
            }
            byBackend.append(map)
        }
        self.entries = entries
        self.byBackend = byBackend
    }

    /// Whether `backendIndex` has any entry (so a first token there may need recording).
    package func hasEntries(backend backendIndex: Int) -> Bool {
        !byBackend[backendIndex].isEmpty
    }

    /// The entry of `model` at `backendIndex`, if the registry describes it.
    package func index(backend backendIndex: Int, model: String) -> Int? {
        byBackend[backendIndex][model]
    }
}
