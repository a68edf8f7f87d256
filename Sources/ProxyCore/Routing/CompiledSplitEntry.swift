/// One split entry with its backend resolved to an index at compile time.
struct CompiledSplitEntry: Sendable {
    let backendIndex: Int
    let backendName: String
    let weight: Int
    /// The entry's own upstream model, if set.
    let model: String?
    /// The backend's client → upstream model map.
    let backendModels: [String: String]

    /// The model to send upstream for a client's `model`: the entry's, else the backend's
    /// mapping of it, else the client's unchanged (nil when there is none at all).
    func upstreamModel(for model: String?) -> String? {
        if let own = self.model { return own }
        guard let model else { return nil }
        return backendModels[model] ?? model
    }
}
