/// One fallback chain entry with its backend resolved to an index at config time.
package struct FallbackCandidate: Hashable, Sendable {
    /// The index of the backend in `ProxyConfig.backends`.
    package let backendIndex: Int
    /// The backend's name.
    package let backendName: String
    /// The entry's own upstream model, if set.
    package let model: String?
    /// The backend's client → upstream model map.
    package let backendModels: [String: String]

    /// A candidate with exactly these fields.
    package init(backendIndex: Int, backendName: String, model: String?, backendModels: [String: String]) {
        self.backendIndex = backendIndex
        self.backendName = backendName
        self.model = model
        self.backendModels = backendModels
    }

    /// The target for a client's `model`: the entry's model, else the backend's mapping of the
    /// client's, else the client's unchanged (as for split entries).
    package func target(clientModel: String?) -> AttemptTarget {
        let upstream = model ?? clientModel.map { backendModels[$0] ?? $0 }
        return AttemptTarget(backendIndex: backendIndex, backendName: backendName, model: upstream)
    }
}
